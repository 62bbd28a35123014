/**
 * The StackSet stack (KeySweepMemberStackSet), deployed in the management account or a delegated
 * administrator for StackSets: a service-managed StackSet whose template is the member stack's, with
 * automatic deployment to the accounts of the target OUs (or the root), including accounts that join
 * later, and removal from accounts that leave. One region: the member role is an IAM role, and IAM
 * is global, so a second region would only try to create the same role again.
 *
 * AWS facts (CloudFormation API reference and template reference):
 * - DeploymentTargets: "StackSets doesn't deploy stack instances to the organization management
 *   account, even if the organization management account is in your organization or in an OU in your
 *   organization" — hence KeySweepManagement.
 * - CallAs: "SELF" when signed in to the management account, "DELEGATED_ADMIN" in a delegated
 *   administrator account (registered in the management account); "Valid only if the permissions
 *   model is SERVICE_MANAGED".
 * - AutoDeployment.Enabled: "StackSets automatically deploys additional stack instances to AWS
 *   Organizations accounts that are added to a target organization or organizational unit (OU) in
 *   the specified Regions. If an account is removed ... StackSets deletes stack instances";
 *   RetainStacksOnAccountRemoval false: "stack resources are deleted".
 * - For a create, DeploymentTargets takes OrganizationalUnitIds (OU or root IDs), not paths.
 */
import { Aws, BootstraplessSynthesizer, CfnStackSet, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OU_ID_PATTERN, type KeysweepConfig } from '../functions/shared/config';
import { synthesizeMemberTemplate } from './member-template';
import { enabledOrganization, MEMBER_STACK_SET_NAME } from './organization';

export interface MemberStackSetStackProps extends StackProps {
  readonly config: KeysweepConfig;
  readonly version: string;
}

/** Where the StackSet deploys: the OUs configured by ID, or else the root (see organization.rootId). */
export function stackSetTargets(config: KeysweepConfig): string[] {
  const org = enabledOrganization(config);
  const ouIds = org.organizationalUnits.filter((ou) => OU_ID_PATTERN.test(ou));
  if (ouIds.length > 0 && ouIds.length === org.organizationalUnits.length) return ouIds;
  if (org.rootId === null)
    throw new Error('organization.rootId is required to target the StackSet at the root');
  return [org.rootId];
}

export class MemberStackSetStack extends Stack {
  public readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberStackSetStackProps) {
    super(scope, id, { synthesizer: new BootstraplessSynthesizer(), ...props });
    const { config, version } = props;
    const org = enabledOrganization(config);
    Tags.of(this).add('Project', 'keysweep');
    Tags.of(this).add('keysweep:version', version);

    const member = synthesizeMemberTemplate(config, version);
    this.stackSet = new CfnStackSet(this, 'MemberStackSet', {
      stackSetName: MEMBER_STACK_SET_NAME,
      description: `keysweep ${version}: the member role ${org.memberRoleName} in each account, trusted by the hub ${org.hubAccountId}`,
      permissionModel: 'SERVICE_MANAGED',
      callAs: org.stackSetCallAs,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      // The role has a fixed name: CAPABILITY_NAMED_IAM.
      capabilities: ['CAPABILITY_NAMED_IAM'],
      templateBody: member.body,
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: stackSetTargets(config) },
          regions: [org.stackSetRegion ?? Aws.REGION],
        },
      ],
      managedExecution: { Active: true },
    });
  }
}
