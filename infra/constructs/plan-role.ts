/**
 * The plan role (`<memberRoleName>-plan`, organization.ts planRoleName), beside the member role in
 * every account it is deployed to, only when organization.planPrincipals is set: what `npm run plan
 * -- --org` reads in an account (the account-wide reads of list-users, and the reads of
 * find-stale-keys and deactivate-key's re-check on user/*, sweep-iam-actions.ts), no write at all,
 * assumable by the hub account's principals that planPrincipals names (organization.ts,
 * planTrustStatement). The member role can deactivate and delete keys, so it stays trusted by the
 * hub's functions alone; people plan through this role instead.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { KeysweepConfig } from '../../functions/shared/config';
import { acknowledgeWildcardResources } from '../nag';
import { enabledOrganization, planRoleName, planTrustStatement } from '../organization';
import { toStatement, wildcardsOf, type Permission } from '../permissions';
import { ACCOUNT_WIDE_REASON, LIST_USERS_ACTIONS, planUserActions } from '../sweep-iam-actions';

const USERS_REASON =
  'A plan reads the access keys of every IAM user of the account, whose names are known only at run time; ' +
  'user/* (users of any path, nothing but users) is the narrowest ARN that covers them, and every action is a read.';

export interface PlanRoleProps {
  readonly config: KeysweepConfig;
}

export class PlanRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PlanRoleProps) {
    super(scope, id);
    const org = enabledOrganization(props.config);
    const trust = planTrustStatement(org);
    this.role = new iam.Role(this, 'Role', {
      roleName: planRoleName(org),
      // Replaced below by the exact trust policy; CDK requires a principal here.
      assumedBy: new iam.AccountPrincipal(org.hubAccountId),
      description: `keysweep plan role: read-only, for npm run plan --org from the hub account ${org.hubAccountId}`,
    });
    (this.role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = {
      Version: '2012-10-17',
      Statement: [trust],
    };
    const usersArn = Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      resource: 'user',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const permissions: Permission[] = [
      { actions: LIST_USERS_ACTIONS, resources: ['*'], wildcardReason: ACCOUNT_WIDE_REASON },
      { actions: planUserActions(props.config), resources: [usersArn], wildcardReason: USERS_REASON },
    ];
    for (const permission of permissions) this.role.addToPrincipalPolicy(toStatement(permission));
    acknowledgeWildcardResources(this.role, wildcardsOf(permissions));
  }
}

/** The plan role when organization.planPrincipals is set, else nothing (the template as without it). */
export function planRoleIfAny(scope: Construct, id: string, config: KeysweepConfig): PlanRole | undefined {
  return config.organization.planPrincipals.length > 0 ? new PlanRole(scope, id, { config }) : undefined;
}
