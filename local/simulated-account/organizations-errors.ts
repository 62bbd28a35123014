/**
 * Errors of the simulated Organizations and STS, as SDK v3 surfaces them: the clients' own modelled
 * exception classes (Organizations models AccessDeniedException, InvalidInputException with a
 * Reason, and a NotFound exception per kind of ID), and STS's AccessDenied, which STS does not
 * model, so SDK v3 surfaces it as an STSServiceException named AccessDenied (HTTP 403).
 */
import {
  AccessDeniedException,
  AccountNotFoundException,
  ChildNotFoundException,
  InvalidInputException,
  OrganizationalUnitNotFoundException,
  ParentNotFoundException,
  TargetNotFoundException,
  type InvalidInputExceptionReason,
} from '@aws-sdk/client-organizations';
import { MalformedPolicyDocumentException, STSServiceException } from '@aws-sdk/client-sts';

const client = (httpStatusCode = 400) => ({ $metadata: { httpStatusCode } });

/** What Organizations answers a caller outside the management account (and a delegated administrator). */
export function organizationsAccessDenied(message: string): AccessDeniedException {
  return new AccessDeniedException({ message, ...client(400) });
}

export function organizationsInvalidInput(
  reason: InvalidInputExceptionReason,
  message: string,
): InvalidInputException {
  return new InvalidInputException({ message, Reason: reason, ...client() });
}

export function organizationsNotFound(
  kind: 'account' | 'parent' | 'child' | 'ou' | 'target',
  id: string,
): Error {
  const opts = {
    ...client(),
    message: `You specified ${kind === 'ou' ? 'an OU' : `a ${kind}`} that doesn't exist: ${id}`,
  };
  switch (kind) {
    case 'account':
      return new AccountNotFoundException(opts);
    case 'parent':
      return new ParentNotFoundException(opts);
    case 'child':
      return new ChildNotFoundException(opts);
    case 'ou':
      return new OrganizationalUnitNotFoundException(opts);
    case 'target':
      return new TargetNotFoundException(opts);
  }
}

/**
 * STS's refusal of an AssumeRole, whatever the reason (the caller's policy, the role's trust policy,
 * an SCP, a role that does not exist, an account that cannot be entered): AWS says the same thing in
 * every case, so that a caller learns nothing about the other account.
 */
export function stsAccessDenied(callerArn: string, roleArn: string): STSServiceException {
  return new STSServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    message: `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    $metadata: { httpStatusCode: 403 },
  });
}

export function stsValidationError(message: string): STSServiceException {
  return new STSServiceException({
    name: 'ValidationError',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400 },
  });
}

export function malformedPolicy(message: string): MalformedPolicyDocumentException {
  return new MalformedPolicyDocumentException({ message, $metadata: { httpStatusCode: 400 } });
}
