/**
 * The stacks of the keysweep app for a configuration: the hub (KeySweep) always; with
 * organization.enabled also the StackSet stack and the management-account stack, each deployed apart
 * with the credentials of its own account (README, "Organizations"). app.ts and the tests build the
 * app through this one function.
 */
import type { App, Environment } from 'aws-cdk-lib';
import type { KeysweepConfig } from '../functions/shared/config';
import { KeySweepStack } from './key-sweep-stack';
import { ManagementStack } from './management-stack';
import { MemberStackSetStack } from './member-stack-set-stack';
import { STACK_NAMES } from './organization';
import type { BuildVersion } from './version';

export interface KeysweepStacks {
  readonly hub: KeySweepStack;
  readonly memberStackSet?: MemberStackSetStack;
  readonly management?: ManagementStack;
}

export function buildStacks(
  app: App,
  config: KeysweepConfig,
  buildVersion: BuildVersion,
  hubEnv?: Environment,
): KeysweepStacks {
  const { version } = buildVersion;
  const hub = new KeySweepStack(app, STACK_NAMES.hub, {
    stackName: STACK_NAMES.hub,
    description: `keysweep ${version}: finds, warns about and deactivates old IAM user access keys`,
    config,
    buildVersion,
    ...(hubEnv ? { env: hubEnv } : {}),
  });
  if (!config.organization.enabled) return { hub };
  const memberStackSet = new MemberStackSetStack(app, STACK_NAMES.memberStackSet, {
    stackName: STACK_NAMES.memberStackSet,
    description: `keysweep ${version}: deploys the keysweep member role to the organization's accounts`,
    config,
    version,
  });
  const management = new ManagementStack(app, STACK_NAMES.management, {
    stackName: STACK_NAMES.management,
    description: `keysweep ${version}: the management account's member role and the org reader role`,
    config,
    version,
  });
  return { hub, memberStackSet, management };
}
