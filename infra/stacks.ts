/**
 * The stacks of the keysweep app for a configuration: the hub (KeySweep) always; with
 * organization.enabled also the StackSet stack and the management-account stack, each deployed apart
 * with the credentials of its own account (README, "Organizations"). app.ts and the tests build the
 * app through this one function.
 */
import { Annotations, Token, type App, type Environment } from 'aws-cdk-lib';
import type { KeysweepConfig } from '../functions/shared/config';
import { exposureEventsStackName, healthGlobalEventRegions } from './exposed-keys';
import { ExposureEventsStack } from './exposure-events-stack';
import { KeySweepStack } from './key-sweep-stack';
import { ManagementStack } from './management-stack';
import { MemberStackSetStack } from './member-stack-set-stack';
import { STACK_NAMES } from './organization';
import type { BuildVersion } from './version';

export interface KeysweepStacks {
  readonly hub: KeySweepStack;
  /** in us-east-1 and us-west-2 (when the hub is elsewhere): forward AWS Health's exposed-key events to the hub */
  readonly exposureEvents: readonly ExposureEventsStack[];
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
  const exposureEvents = exposureEventStacks(app, hub, version, hubEnv);
  if (!config.organization.enabled) return { hub, exposureEvents };
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
  return { hub, exposureEvents, memberStackSet, management };
}

/**
 * The stacks that bring AWS Health's exposed-key events to the hub: one in each Region those events
 * are delivered to (exposed-keys.ts) other than the hub's own. A hub whose Region is not known at
 * synth (no CDK_DEFAULT_REGION) gets none, and a warning: it receives the events only if it is
 * deployed in one of those Regions.
 */
function exposureEventStacks(
  app: App,
  hub: KeySweepStack,
  version: string,
  hubEnv: Environment | undefined,
): ExposureEventsStack[] {
  const region = hubEnv?.region;
  const regions =
    region === undefined || Token.isUnresolved(region) ? null : healthGlobalEventRegions(region);
  if (region === undefined || Token.isUnresolved(region) || regions === null) {
    Annotations.of(hub).addWarningV2(
      'keysweep:exposure-events-region',
      `AWS Health delivers IAM's exposed-key events to us-east-1 (backup us-west-2) only; the hub's Region is ${region === undefined || Token.isUnresolved(region) ? 'not known at synth' : `${region}, where keysweep knows no such Region`}, so no stack forwards them: deploy the hub in us-east-1, or synth with its Region (CDK_DEFAULT_REGION) to get the forwarding stacks.`,
    );
    return [];
  }
  return regions
    .filter((r) => r !== region)
    .map(
      (r) =>
        new ExposureEventsStack(app, exposureEventsStackName(r), {
          stackName: exposureEventsStackName(r),
          description: `keysweep ${version}: forwards AWS Health exposed-key events from ${r} to the hub in ${region}`,
          env: { ...(hubEnv?.account !== undefined ? { account: hubEnv.account } : {}), region: r },
          hubRegion: region,
          version,
        }),
    );
}
