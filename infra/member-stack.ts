/**
 * The member stack: the member role (constructs/member-role.ts), and with organization.planPrincipals
 * the read-only plan role (constructs/plan-role.ts). Its template is what the
 * StackSet deploys to the organization's accounts (member-template.ts); the management account gets
 * the same role from KeySweepManagement instead.
 *
 * No assets and no bootstrap: BootstraplessSynthesizer with no roles deploys with the caller's own
 * credentials and emits no BootstrapVersion parameter, which a StackSet instance in a member account
 * could not resolve (that account has no CDK bootstrap stack); no CDK metadata resource either.
 */
import { BootstraplessSynthesizer, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { KeysweepConfig } from '../functions/shared/config';
import { MemberRole } from './constructs/member-role';
import { planRoleIfAny, type PlanRole } from './constructs/plan-role';

export interface MemberStackProps extends StackProps {
  readonly config: KeysweepConfig;
  readonly version: string;
}

export class MemberStack extends Stack {
  public readonly memberRole: MemberRole;
  /** only with organization.planPrincipals */
  public readonly planRole: PlanRole | undefined;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, {
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
      ...props,
    });
    Tags.of(this).add('Project', 'keysweep');
    Tags.of(this).add('keysweep:version', props.version);
    this.memberRole = new MemberRole(this, 'Member', { config: props.config });
    this.planRole = planRoleIfAny(this, 'Plan', props.config);
  }
}
