/**
 * The management-account stack (KeySweepManagement): the member role, since service-managed
 * StackSets never deploy to the management account (member-stack-set-stack.ts), and the org reader
 * role, through which the hub reads the organization's accounts and OUs; with organization.planPrincipals
 * also the plan role (constructs/plan-role.ts), as the StackSet puts it beside every member role. No
 * assets, no bootstrap.
 */
import { BootstraplessSynthesizer, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { KeysweepConfig } from '../functions/shared/config';
import { MemberRole } from './constructs/member-role';
import { planRoleIfAny, type PlanRole } from './constructs/plan-role';
import { OrgReaderRole } from './constructs/org-reader-role';

export interface ManagementStackProps extends StackProps {
  readonly config: KeysweepConfig;
  readonly version: string;
}

export class ManagementStack extends Stack {
  public readonly memberRole: MemberRole;
  /** only with organization.planPrincipals */
  public readonly planRole: PlanRole | undefined;
  public readonly orgReaderRole: OrgReaderRole;

  constructor(scope: Construct, id: string, props: ManagementStackProps) {
    super(scope, id, { synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false, ...props });
    Tags.of(this).add('Project', 'keysweep');
    Tags.of(this).add('keysweep:version', props.version);
    this.memberRole = new MemberRole(this, 'Member', { config: props.config });
    this.planRole = planRoleIfAny(this, 'Plan', props.config);
    this.orgReaderRole = new OrgReaderRole(this, 'OrgReader', { config: props.config });
  }
}
