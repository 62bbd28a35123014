/**
 * The org reader role (keysweep-org-reader) in the management account: read-only Organizations
 * calls the hub needs to know which accounts to sweep (ListAccounts for "ALL", the OU tree for OU
 * paths, account tags for the admins), assumable only by the hub's list-accounts role, by ARN, under
 * aws:PrincipalOrgID (and by organization.planPrincipals when set, organization.ts). These calls answer only in the management account or a delegated
 * administrator (Organizations API reference, ListAccounts: "This operation can be called only from
 * the organization's management account or by a member account that is a delegated administrator").
 *
 * Resource types per action as the Service Authorization Reference lists them (AWS Organizations):
 * ListAccounts, ListRoots and DescribeOrganization take none (only `*`); ListAccountsForParent and
 * ListOrganizationalUnitsForParent take a root or OU; ListParents an account or OU;
 * DescribeOrganizationalUnit an OU; ListTagsForResource an account (among others). Their ARNs are
 * `arn:<partition>:organizations::<management account>:<type>/o-<org id>/...`.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { KeysweepConfig } from '../../functions/shared/config';
import { acknowledgeWildcardResources } from '../nag';
import {
  enabledOrganization,
  hubRoleArn,
  ORG_READER_ROLE_NAME,
  planTrustStatement,
  trustPolicy,
} from '../organization';
import { toStatement, wildcardsOf, type Permission } from '../permissions';

/** The Organizations reads that take no resource (only `*`). */
export const ORG_READER_ACCOUNT_WIDE_ACTIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
  'organizations:ListRoots',
] as const;

/**
 * The OU tree, walked down from the root: what a root or OU holds (functions/list-accounts/
 * read-organization.ts). Nothing asks an account's parent or an OU's name apart (ListParents,
 * DescribeOrganizationalUnit): the walk gives both.
 */
export const ORG_READER_TREE_ACTIONS = [
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
] as const;

export interface OrgReaderRoleProps {
  readonly config: KeysweepConfig;
}

export class OrgReaderRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: OrgReaderRoleProps) {
    super(scope, id);
    const org = enabledOrganization(props.config);
    const principal = hubRoleArn(org, 'list-accounts');
    this.role = new iam.Role(this, 'Role', {
      roleName: ORG_READER_ROLE_NAME,
      assumedBy: new iam.ArnPrincipal(principal), // replaced below by the exact trust policy
      description: `keysweep org reader: read-only Organizations calls for the hub account ${org.hubAccountId}`,
    });
    (this.role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = trustPolicy(
      [principal],
      org.organizationId,
      // organization.planPrincipals: people who run `npm run plan -- --org` (every action here is a read)
      org.planPrincipals.length > 0 ? [planTrustStatement(org)] : [],
    );

    const arn = (type: string, rest: string) =>
      `arn:${Aws.PARTITION}:organizations::${org.managementAccountId}:${type}/${org.organizationId}/${rest}`;
    const accounts = arn('account', '*');
    const ous = arn('ou', 'ou-*');
    const roots = arn('root', 'r-*');
    const TREE_REASON =
      "The OUs and accounts of the organization are known only at run time; limited to this organization's " +
      'roots, OUs and accounts (the org ID in the ARN).';
    const only = (actions: readonly string[], resources: string[]): Permission => ({
      actions,
      resources,
      wildcardReason: TREE_REASON,
    });
    const permissions: Permission[] = [
      {
        actions: ORG_READER_ACCOUNT_WIDE_ACTIONS,
        resources: ['*'],
        wildcardReason:
          'organizations:DescribeOrganization, ListAccounts and ListRoots accept only * as resource.',
      },
      only(ORG_READER_TREE_ACTIONS, [roots, ous]),
      // The account tag that names an account's admins (organization.adminsTag), read only when set.
      ...(org.adminsTag !== null ? [only(['organizations:ListTagsForResource'], [accounts])] : []),
    ];
    for (const permission of permissions) this.role.addToPrincipalPolicy(toStatement(permission));
    acknowledgeWildcardResources(this.role, wildcardsOf(permissions));
  }
}
