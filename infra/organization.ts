/**
 * The names an organization deployment is built from. The member role trusts the hub's function
 * roles by ARN, so those roles have fixed names (a generated name is known only after deployment);
 * the org reader role in the management account likewise trusts one named hub role.
 *
 * A role ARN in a trust policy is stored as the role's unique ID (IAM User Guide, "Example policies
 * for roles", cross-account: "AWS transforms the ARN to a unique principal ID ... if you delete and
 * recreate the role ... you must edit the role to replace the ARN"), and IAM refuses a trust policy
 * naming a role that does not exist ("Invalid principal in policy", AWS re:Post knowledge center
 * iam-trust-policy-error). Hence the deploy order: the hub first, then the member and management
 * stacks; and a hub role replaced later (renamed, recreated) needs those redeployed. The plan role
 * and the org reader role's trust for organization.planPrincipals name the hub account's root and
 * put the principals in a condition (planTrustStatement), so they need no such order.
 */
import { Aws } from 'aws-cdk-lib';
import { ConfigError, type KeysweepConfig, type OrganizationConfig } from '../functions/shared/config';
import {
  memberRoleArnPattern as memberRoleArnPatternIn,
  orgReaderRoleArn as orgReaderRoleArnIn,
} from '../functions/shared/organization';

export { memberRoleArn, ORG_READER_ROLE_NAME } from '../functions/shared/organization';

/** The hub's roles whose names are fixed because other accounts trust them. */
export const HUB_ROLE_NAMES = {
  'list-users': 'keysweep-list-users',
  'find-stale-keys': 'keysweep-find-stale-keys',
  'deactivate-key': 'keysweep-deactivate-key',
  /** the exposure path's key step: deactivates an exposed key in the account AWS Health names */
  'deactivate-exposed-key': 'keysweep-deactivate-exposed-key',
  /** the list-accounts function's role: it alone assumes the org reader role */
  'list-accounts': 'keysweep-list-accounts',
} as const;
export type HubRoleFunction = keyof typeof HUB_ROLE_NAMES;

/** The hub functions that work in member accounts, through the member role. */
export const MEMBER_ROLE_USERS = [
  'list-users',
  'find-stale-keys',
  'deactivate-key',
  'deactivate-exposed-key',
] as const satisfies readonly HubRoleFunction[];

/** The StackSet that deploys the member role to the organization's accounts. */
export const MEMBER_STACK_SET_NAME = 'keysweep-member';

/** The stack names the CDK app gives the organization's stacks. */
export const STACK_NAMES = {
  hub: 'KeySweep',
  memberStackSet: 'KeySweepMemberStackSet',
  management: 'KeySweepManagement',
} as const;

/** The organization settings once enabled: every ID the templates need is there. */
export type EnabledOrganization = OrganizationConfig & {
  enabled: true;
  organizationId: string;
  hubAccountId: string;
  managementAccountId: string;
};

/** The organization settings of a configuration that has them enabled; throws otherwise. */
export function enabledOrganization(config: KeysweepConfig): EnabledOrganization {
  const org = config.organization;
  if (
    org.enabled &&
    org.organizationId !== null &&
    org.hubAccountId !== null &&
    org.managementAccountId !== null
  ) {
    if (org.planPrincipals.length > 0 && planRoleName(org).length > 64) {
      throw new ConfigError(
        `organization.memberRoleName is too long for the plan role (organization.planPrincipals is set): ` +
          `${planRoleName(org)} has ${planRoleName(org).length} characters, IAM allows 64`,
      );
    }
    return org as EnabledOrganization;
  }
  throw new ConfigError(
    'The organization stacks need organization.enabled true with organizationId, hubAccountId and managementAccountId set',
  );
}

/** The ARN of one of the hub's named roles. */
export function hubRoleArn(org: EnabledOrganization, fn: HubRoleFunction, partition = Aws.PARTITION): string {
  return `arn:${partition}:iam::${org.hubAccountId}:role/${HUB_ROLE_NAMES[fn]}`;
}

/** The member role in any account (the hub may assume it only in the organization's accounts). */
export function memberRoleArnPattern(org: OrganizationConfig, partition = Aws.PARTITION): string {
  return memberRoleArnPatternIn(org, partition);
}

export function orgReaderRoleArn(org: EnabledOrganization, partition = Aws.PARTITION): string {
  return orgReaderRoleArnIn(org.managementAccountId, partition);
}

/**
 * The read-only plan role (`<memberRoleName>-plan`, constructs/plan-role.ts) that `npm run plan --
 * --org` assumes in each account when organization.planPrincipals is set: the one place its name is made.
 */
export function planRoleName(org: Pick<OrganizationConfig, 'memberRoleName'>): string {
  return `${org.memberRoleName}-plan`;
}

/**
 * The trust statement for organization.planPrincipals (the plan role's, and the org reader role's
 * besides the hub's function): the hub account's root as principal, narrowed to the principals by
 * ArnLike on aws:PrincipalArn. A trust policy's Principal cannot name part of an ARN by wildcard
 * (IAM User Guide, "AWS JSON policy elements: Principal": a wildcard matches all principals or
 * none, never part of a name or ARN), so patterns such as IAM Identity Center's
 * `role/aws-reserved/sso.amazonaws.com/*\/AWSReservedSSO_<set>_*` go in the condition; for a role
 * session, aws:PrincipalArn is the role's ARN, not the session's (IAM User Guide, "AWS global
 * condition context keys", aws:PrincipalArn). The root principal itself allows nothing: the
 * principal must also be allowed sts:AssumeRole by its own policies (`npm run plan -- --print-policy --org`).
 */
export function planTrustStatement(
  org: EnabledOrganization,
  partition = Aws.PARTITION,
): Record<string, unknown> {
  return {
    Effect: 'Allow',
    Principal: { AWS: `arn:${partition}:iam::${org.hubAccountId}:root` },
    Action: 'sts:AssumeRole',
    Condition: {
      ArnLike: { 'aws:PrincipalArn': [...org.planPrincipals] },
      StringEquals: { 'aws:PrincipalOrgID': org.organizationId },
    },
  };
}

/**
 * A role trust policy that lets exactly these principals (by ARN) assume the role, and only while
 * they belong to the organization (aws:PrincipalOrgID: "the identifier of the organization in AWS
 * Organizations to which the requesting principal belongs", IAM User Guide, global condition keys).
 */
export function trustPolicy(
  principalArns: readonly string[],
  organizationId: string,
  more: readonly Record<string, unknown>[] = [],
): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: [...principalArns] },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      },
      ...more,
    ],
  };
}
