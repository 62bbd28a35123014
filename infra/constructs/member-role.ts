/**
 * The member role (`organization.memberRoleName`, default keysweep-member): in an account of the
 * organization, exactly the IAM actions a sweep makes there (sweep-iam-actions.ts, shared with the
 * hub's own function roles), assumable only by the hub's list-users, find-stale-keys and
 * deactivate-key roles, by ARN, under aws:PrincipalOrgID. It holds no other permission: no logs, no
 * S3; the hub's functions write their logs and reports with their own roles.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { KeysweepConfig } from '../../functions/shared/config';
import { acknowledgeWildcardResources } from '../nag';
import {
  enabledOrganization,
  hubRoleArn,
  MEMBER_ROLE_USERS,
  trustPolicy,
  type EnabledOrganization,
} from '../organization';
import { toStatement, wildcardsOf, type Permission } from '../permissions';
import { ACCOUNT_WIDE_REASON, LIST_USERS_ACTIONS, userActions } from '../sweep-iam-actions';

const USERS_REASON =
  'keysweep examines the access keys of every IAM user of the member account, whose names are known only ' +
  'at run time; user/* (users of any path, nothing but users) is the narrowest ARN that covers them.';

export interface MemberRoleProps {
  readonly config: KeysweepConfig;
}

export class MemberRole extends Construct {
  public readonly role: iam.Role;
  public readonly organization: EnabledOrganization;

  constructor(scope: Construct, id: string, props: MemberRoleProps) {
    super(scope, id);
    const org = enabledOrganization(props.config);
    this.organization = org;
    const usersArn = Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      resource: 'user',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const principals = MEMBER_ROLE_USERS.map((fn) => hubRoleArn(org, fn));

    this.role = new iam.Role(this, 'Role', {
      roleName: org.memberRoleName,
      // Replaced below by the exact trust policy; CDK requires a principal here.
      assumedBy: new iam.ArnPrincipal(principals[0] as string),
      description: `keysweep member role: what a sweep from the hub account ${org.hubAccountId} does here, nothing else`,
    });
    (this.role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = trustPolicy(
      principals,
      org.organizationId,
    );

    const permissions: Permission[] = [
      { actions: LIST_USERS_ACTIONS, resources: ['*'], wildcardReason: ACCOUNT_WIDE_REASON },
      { actions: userActions(props.config), resources: [usersArn], wildcardReason: USERS_REASON },
    ];
    for (const permission of permissions) this.role.addToPrincipalPolicy(toStatement(permission));
    acknowledgeWildcardResources(this.role, wildcardsOf(permissions));
  }
}
