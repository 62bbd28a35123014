/**
 * The IAM policies `npm run plan` needs. For one account: exactly the IAM reads the functions make,
 * on the resources the deployed stack grants them on (infra/key-sweep-stack.ts), and nothing else.
 * For an organization (`--org`): no IAM read of its own, as every account is read through its member
 * role or, with organization.planPrincipals, its plan role (the hub's too), only STS, on the roles of
 * the configuration: AssumeRole on that role in
 * any account of the organization (as the hub's function roles may: infra/hub-organization-access.ts)
 * and, with `accounts: "ALL"`, on the org reader role; and GetCallerIdentity, which names the hub
 * (AWS answers it whatever the policy says: "No permissions are required", STS API reference). Each
 * member role session is narrowed to the same IAM reads by a session policy (PLAN_SESSION_ACTIONS).
 * S3 and SES stay on the machine that runs the plan, so they need no permission.
 *
 * test/local/plan/read-only-policy.test.ts checks that these actions are the reads among the IAM commands
 * the functions import, that the stack grants each of them on these resources, and that the
 * organization's policy is the hub's own AssumeRole grant.
 */
import type { OrganizationConfig } from '../../functions/shared/config';
import { memberRoleArnPattern, orgReaderRoleArn } from '../../functions/shared/organization';
import { planRoleName } from '../../infra/organization';

/** Accept only `*` as their resource (AWS Service Authorization Reference, IAM). */
export const ACCOUNT_WIDE_READS = [
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
  'iam:ListUsers',
];

/** Authorized on the user they read about. */
export const USER_READS = [
  'iam:GetAccessKeyLastUsed',
  'iam:ListAccessKeys',
  // read only when exemptGroups is set; in the policy so that one policy fits any configuration
  'iam:ListGroupsForUser',
  'iam:ListUserTags',
];

/** Every user of the account the policy is attached in, at any path. */
export const USERS_RESOURCE = 'arn:aws:iam::*:user/*';

export const PLAN_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'KeysweepPlanAccountReads',
      Effect: 'Allow',
      Action: ACCOUNT_WIDE_READS,
      Resource: '*',
    },
    {
      Sid: 'KeysweepPlanUserReads',
      Effect: 'Allow',
      Action: USER_READS,
      Resource: USERS_RESOURCE,
    },
  ],
} as const;

export const planPolicyJson = (): string => `${JSON.stringify(PLAN_POLICY, null, 2)}\n`;

/** What a plan's member role sessions may do: the IAM reads above, whatever the role allows besides. */
export const PLAN_SESSION_ACTIONS: readonly string[] = [...ACCOUNT_WIDE_READS, ...USER_READS];

/** The settings the organization's policy is built from (organization.enabled, its IDs set). */
export type PlannedOrganization = Pick<
  OrganizationConfig,
  'memberRoleName' | 'accounts' | 'planPrincipals'
> & {
  organizationId: string;
  managementAccountId: string;
};

/**
 * The role a plan assumes in each account: the read-only plan role when organization.planPrincipals
 * is set (infra/constructs/plan-role.ts, which trusts them), else the member role, which trusts only
 * the hub's functions unless the plan's --config names another role.
 */
export function plannedRoleName(org: Pick<OrganizationConfig, 'memberRoleName' | 'planPrincipals'>): string {
  return org.planPrincipals.length > 0 ? planRoleName(org) : org.memberRoleName;
}

/** What the caller of `npm run plan -- --org` needs, from the organization's settings. */
export function organizationPlanPolicy(org: PlannedOrganization, partition = 'aws') {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'KeysweepPlanIdentity',
        Effect: 'Allow',
        Action: ['sts:GetCallerIdentity'],
        Resource: '*',
      },
      {
        Sid: 'KeysweepPlanMemberRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: memberRoleArnPattern({ memberRoleName: plannedRoleName(org) }, partition),
        Condition: { StringEquals: { 'aws:ResourceOrgID': org.organizationId } },
      },
      ...(org.accounts === 'ALL'
        ? [
            {
              Sid: 'KeysweepPlanOrgReader',
              Effect: 'Allow',
              Action: ['sts:AssumeRole'],
              Resource: orgReaderRoleArn(org.managementAccountId, partition),
            },
          ]
        : []),
    ],
  };
}

export const organizationPlanPolicyJson = (org: PlannedOrganization): string =>
  `${JSON.stringify(organizationPlanPolicy(org), null, 2)}\n`;
