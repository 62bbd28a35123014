/**
 * The IAM client of the account a run sweeps. A single-account deployment uses the function's own
 * client (its role, its account). In an organization every account is reached through its member
 * role: one sts:AssumeRole per invocation, and an IAMClient built with the session's credentials
 * (`new IAMClient({ credentials })`), whose calls are then signed as the member role in that account.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { OrganizationConfig } from './config';
import {
  assumeMemberRole,
  assumeRole,
  memberRoleArn,
  partitionOf,
  roleSessionName,
  type SessionCredentials,
} from './organization';
import type { Run } from './run';

/** The IAM client for the account of `run`, made for one invocation of `functionName`. */
export type AccountIam = (
  target: { accountId: string; executionId: string; executionName: string },
  functionName: string,
) => Promise<IAMClient>;

export function memberAccountIam(
  sts: STSClient,
  org: Pick<OrganizationConfig, 'memberRoleName'>,
  clientWith: (credentials: SessionCredentials) => IAMClient,
): AccountIam {
  return async (target, functionName) =>
    clientWith(
      await assumeMemberRole(
        sts,
        org,
        target.accountId,
        roleSessionName(functionName, target.executionName),
        partitionOf(target.executionId),
      ),
    );
}

/** The client a handler uses for `run`: its account's through the member role, else its own. */
export async function iamForRun(
  run: Pick<Run, 'account' | 'executionId' | 'executionName'>,
  own: IAMClient,
  accountIam: AccountIam | undefined,
  functionName: string,
): Promise<IAMClient> {
  if (run.account === undefined) return own;
  if (accountIam === undefined) {
    throw new Error(
      `${functionName}: this run sweeps account ${run.account.accountId}, but organization is not enabled`,
    );
  }
  return accountIam(
    { accountId: run.account.accountId, executionId: run.executionId, executionName: run.executionName },
    functionName,
  );
}

/** A session policy allowing exactly `actions` (on any resource the role itself allows). */
export function sessionPolicy(actions: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: [...actions], Resource: '*' }],
  });
}

/**
 * The exposure path's IAM in another account of the organization: the member role, its session
 * narrowed by a session policy to exactly `actions`. A refusal (no member role there, a trust that
 * does not name the caller, an SCP, a suspended account: STS answers all of them AccessDenied) is
 * AccountUnreachableError saying which role.
 */
export async function narrowedMemberIam(
  sts: STSClient,
  org: Pick<OrganizationConfig, 'memberRoleName'>,
  clientWith: (credentials: SessionCredentials) => IAMClient,
  target: { accountId: string; partition: string },
  sessionName: string,
  actions: readonly string[],
): Promise<IAMClient> {
  const roleArn = memberRoleArn(org, target.accountId, target.partition);
  return clientWith(await assumeRole(sts, roleArn, target.accountId, sessionName, sessionPolicy(actions)));
}
