/**
 * IAM in another account of the organization, through its member role (organization.memberRoleName,
 * deployed by the member StackSet and KeySweepManagement): STS AssumeRole, then an IAM client signed
 * with the session's credentials. The member role trusts the hub function roles that need it, by
 * ARN, under aws:PrincipalOrgID (infra/organization.ts); a session policy narrows the session further
 * to what the caller does there ("the resulting session's permissions are the intersection of the
 * role's identity-based policy and the session policies", STS API reference, AssumeRole, Policy).
 *
 * Each session is its own client with the budget's settings and keysweep's masking of key IDs in
 * errors (clients.ts); its credentials are temporary (ASIA…) and never logged.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { tracer } from './observability';
import { redactKeyIdsInSdkErrors } from './redact-errors';
import { SDK_CLIENTS, sdkClientConfig } from './retry-budget';

/** The shortest session STS grants (AssumeRole DurationSeconds: 900 to the role's maximum). */
export const SESSION_SECONDS = 900;

export interface MemberAccess {
  sts: STSClient;
  /** the member role's name (organization.memberRoleName) */
  roleName: string;
  /** the partition the accounts are in (from the execution's ARN) */
  partition: string;
}

/** The STS client of a function that works in member accounts (one per container). */
export function stsClient(): STSClient {
  const client = tracer.captureAWSv3Client(new STSClient(sdkClientConfig(SDK_CLIENTS.sts)));
  return redactKeyIdsInSdkErrors(client);
}

export function memberRoleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** A session policy allowing exactly `actions` (on any resource the role itself allows). */
export function sessionPolicy(actions: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: [...actions], Resource: '*' }],
  });
}

export class MemberRoleRefusedError extends Error {
  override name = 'MemberRoleRefused';
}

/**
 * An IAM client acting in `accountId` as the member role, its session limited to `actions`.
 * A refusal (no member role there, a trust that does not name the caller, an SCP, a suspended
 * account: STS answers all of them AccessDenied) is a MemberRoleRefusedError saying which role.
 */
export async function memberIam(
  access: MemberAccess,
  accountId: string,
  sessionName: string,
  actions: readonly string[],
): Promise<IAMClient> {
  const roleArn = memberRoleArn(access.partition, accountId, access.roleName);
  let response;
  try {
    response = await access.sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: SESSION_SECONDS,
        Policy: sessionPolicy(actions),
      }),
    );
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new MemberRoleRefusedError(`could not assume the member role ${roleArn} (${why})`, {
      cause: error,
    });
  }
  const credentials = response.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
    throw new MemberRoleRefusedError(`STS returned no credentials for ${roleArn}`);
  }
  const client = new IAMClient({
    ...sdkClientConfig(SDK_CLIENTS.iam),
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
    },
  });
  return redactKeyIdsInSdkErrors(tracer.captureAWSv3Client(client));
}
