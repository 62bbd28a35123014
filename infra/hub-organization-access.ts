/**
 * What an organization hub adds to the KeySweep stack (organization.enabled): fixed names for the
 * roles other accounts trust (organization.ts) and the grants to assume the member role in the
 * organization's accounts and the org reader role in the management account.
 *
 * The member role's account is known only at run time, so the grant names it in any account
 * (`arn:<partition>:iam::*:role/<memberRoleName>`) and keeps it to the organization's accounts with
 * aws:ResourceOrgID, the organization of the account that owns the requested resource. AWS introduced
 * aws:ResourceOrgID, aws:ResourceOrgPaths and aws:ResourceAccount "to require that your principals
 * (users and roles) can only access resources inside a specific boundary within your organization"
 * (AWS Security Blog, on the launch of the resource organization condition keys); for sts:AssumeRole
 * the resource is the role, owned by the account it lives in, and AWS's data-perimeter examples
 * (aws-samples/data-perimeter-policy-examples, service_control_policies/resource_perimeter_scp.json)
 * deny every action, sts:AssumeRole included, on resources whose aws:ResourceOrgID is not the
 * organization's. The IAM User Guide's own entry for the key could not be read here; should AWS not
 * set the key for AssumeRole, StringEquals on a missing key does not match and the grant fails
 * closed (AccessDenied on the first run, naming sts:AssumeRole), never open. The member role's trust
 * policy (aws:PrincipalOrgID and the hub's role ARNs) is the other half: cross-account, both must
 * allow.
 */
import type { KeysweepConfig } from '../functions/shared/config';
import {
  enabledOrganization,
  HUB_ROLE_NAMES,
  memberRoleArnPattern,
  orgReaderRoleArn,
  type EnabledOrganization,
  type HubRoleFunction,
} from './organization';
import type { Permission } from './permissions';

export class HubOrganizationAccess {
  public readonly organization: EnabledOrganization;
  /** sts:AssumeRole on the member role in the organization's accounts only */
  public readonly memberAccess: readonly Permission[];
  /** sts:AssumeRole on the org reader role in the management account */
  public readonly orgReaderAccess: Permission;

  constructor(config: KeysweepConfig) {
    const org = enabledOrganization(config);
    this.organization = org;
    this.memberAccess = [
      {
        actions: ['sts:AssumeRole'],
        resources: [memberRoleArnPattern(org)],
        conditions: { StringEquals: { 'aws:ResourceOrgID': org.organizationId } },
        wildcardReason:
          `The member role ${org.memberRoleName} is assumed in each account of the organization, whose IDs are ` +
          'known only at run time; the resource names that one role, and aws:ResourceOrgID keeps it to ' +
          `accounts of ${org.organizationId}.`,
      },
    ];
    this.orgReaderAccess = { actions: ['sts:AssumeRole'], resources: [orgReaderRoleArn(org)] };
  }

  /** The fixed role name of a hub function that other accounts trust. */
  roleOf(fn: HubRoleFunction): { roleName: string } {
    return { roleName: HUB_ROLE_NAMES[fn] };
  }
}
