/**
 * The clients of `npm run plan -- --org`, which the handlers get instead of the functions' own
 * (local/load-handlers.ts): the plan's STS (its own credentials, AssumeRole and GetCallerIdentity
 * only), each account's IAM through its member role, and Organizations through the org reader role,
 * each guarded (read-only-guard.ts) and each reporting its calls to the plan's log.
 *
 * A member account is entered as the deployed hub enters it (functions/shared/account-iam.ts): one
 * sts:AssumeRole of the member role per invocation, an IAM client signing with the session, and a
 * refusal (no role there, a trust that does not name the caller, an SCP, a suspended account) that
 * makes the account unreachable with STS's reason. Unlike the hub, a plan narrows each session with
 * a session policy to the IAM reads it makes (PLAN_SESSION_ACTIONS): the member role may deactivate
 * keys, a plan's session may not, whatever the guard does.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import { narrowedMemberIam, type AccountIam } from '../../functions/shared/account-iam';
import type { OrganizationConfig } from '../../functions/shared/config';
import { partitionOf, roleSessionName, type SessionCredentials } from '../../functions/shared/organization';
import type { PlanCallLog } from './call-log';
import { createPlanIamClient, createPlanOrganizationsClient, createPlanStsClient } from './plan-clients';
import { PLAN_SESSION_ACTIONS } from './read-only-policy';

export interface PlanOrganizationClients {
  sts: STSClient;
  accountIam: AccountIam;
  organizationsWith: (credentials: SessionCredentials) => OrganizationsClient;
}

export function planOrganizationClients(options: {
  profile?: string;
  region?: string;
  log: PlanCallLog;
  organization: Pick<OrganizationConfig, 'memberRoleName'>;
}): PlanOrganizationClients {
  const { log, region } = options;
  const sts = createPlanStsClient({
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(region !== undefined ? { region } : {}),
    observer: log.observer('STS'),
  });
  const withRegion = region !== undefined ? { region } : {};
  const accountIam: AccountIam = (target, functionName) =>
    narrowedMemberIam(
      sts,
      options.organization,
      (credentials) =>
        createPlanIamClient({ ...withRegion, credentials, observer: log.observer('IAM', target.accountId) }),
      { accountId: target.accountId, partition: partitionOf(target.executionId) },
      roleSessionName(functionName, target.executionName),
      PLAN_SESSION_ACTIONS,
    );
  return {
    sts,
    accountIam,
    organizationsWith: (credentials) =>
      createPlanOrganizationsClient({ ...withRegion, credentials, observer: log.observer('ORGANIZATIONS') }),
  };
}
