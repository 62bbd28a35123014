/**
 * The IAM client of the account a run sweeps. A single-account deployment uses the function's own
 * client (its role, its account). In an organization every account is reached through its member
 * role: one sts:AssumeRole per invocation, and an IAMClient built with the session's credentials
 * (`new IAMClient({ credentials })`), whose calls are then signed as the member role in that account.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient } from '@aws-sdk/client-sts';
import type { OrganizationConfig } from './config';
import { assumeMemberRole, partitionOf, roleSessionName, type SessionCredentials } from './organization';
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
