/**
 * Errors of the simulated account, shaped as the AWS SDK v3 surfaces them: the SDK's own
 * exception classes where the service models the error, else the service's base exception with
 * the error code as `name`, and the HTTP status in `$metadata`.
 */
import { IAMServiceException, NoSuchEntityException } from '@aws-sdk/client-iam';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { SESServiceException } from '@aws-sdk/client-ses';

export function noSuchEntity(message: string): NoSuchEntityException {
  return new NoSuchEntityException({ message, $metadata: { httpStatusCode: 404 } });
}

export function iamValidationError(message: string): IAMServiceException {
  return new IAMServiceException({
    name: 'ValidationError',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400 },
  });
}

/** An IAM error the SDK does not model (e.g. InvalidClientTokenId), as SDK v3 surfaces it. */
export function iamError(name: string, message: string, status = 400): IAMServiceException {
  return new IAMServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: status } });
}

/** IAM's unmodelled Throttling code, as SDK v3 surfaces it. */
export function iamThrottling(): IAMServiceException {
  return new IAMServiceException({
    name: 'Throttling',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400 },
  });
}

export function s3InvalidArgument(message: string): S3ServiceException {
  return new S3ServiceException({
    name: 'InvalidArgument',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400 },
  });
}

/** S3's 412 for a conditional request whose condition does not hold. */
export function s3PreconditionFailed(condition: string): S3ServiceException {
  return new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    message: `At least one of the pre-conditions you specified did not hold (${condition})`,
    $metadata: { httpStatusCode: 412 },
  });
}

export function sesError(name: string, message: string, status = 400): SESServiceException {
  return new SESServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    message,
    $metadata: { httpStatusCode: status },
  });
}

/** What a denied call names: who, which action, on what, and why (from the policy engine). */
export interface Denial {
  principalArn: string;
  action: string;
  resource: string;
  reason: string;
}

/** IAM's AccessDenied (HTTP 403), which SDK v3 surfaces as an IAMServiceException named AccessDenied. */
export function iamAccessDenied(d: Denial): IAMServiceException {
  return new IAMServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    message: `User: ${d.principalArn} is not authorized to perform: ${d.action} on resource: ${d.resource} ${d.reason}`,
    $metadata: { httpStatusCode: 403 },
  });
}

/**
 * S3's AccessDenied (HTTP 403). A HEAD request has no error body, so SDK v3 can only name the
 * error from its status: Forbidden.
 */
export function s3AccessDenied(d: Denial, head = false): S3ServiceException {
  return new S3ServiceException({
    name: head ? 'Forbidden' : 'AccessDenied',
    $fault: 'client',
    message: head
      ? 'Forbidden'
      : `User: ${d.principalArn} is not authorized to perform: ${d.action} on resource: "${d.resource}" ${d.reason}`,
    $metadata: { httpStatusCode: 403 },
  });
}

/** SES's AccessDenied (HTTP 403), in SES's own wording (backquote-quote). */
export function sesAccessDenied(d: Denial): SESServiceException {
  return sesError(
    'AccessDenied',
    `User \`${d.principalArn}' is not authorized to perform \`${d.action}' on resource \`${d.resource}'`,
    403,
  );
}
