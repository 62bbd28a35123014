/**
 * Where AWS Health's exposed-key events arrive, and the names the exposure path is built from.
 *
 * AWS facts (AWS Health User Guide, "Creating EventBridge rules for AWS Region coverage"): "Some AWS
 * Health events are not Region-specific ... global events. These include events sent for AWS Identity
 * and Access Management (IAM). To receive global events, you must create a rule for the US East
 * (N. Virginia) Region as the primary Region and the US West (Oregon) Region as the backup Region";
 * in AWS GovCloud (US) "you must create a rule in the AWS GovCloud (US-West) Region". A rule receives
 * only the events of its own Region, so a hub elsewhere gets them through a rule in each of those
 * Regions that forwards them to the hub Region's default event bus (EventBridge User Guide, "Sending
 * and receiving events between AWS Regions"; the rule's role needs events:PutEvents on the target bus).
 * A backup copy arrives as well as the primary one (detail.backupEvent "true"): the exposure path's
 * record of each event and key makes the second a repeat.
 */
import {
  HEALTH_EVENT_DETAIL_TYPE,
  HEALTH_EVENT_SOURCE,
  EXPOSED_KEY_EVENT_TYPE,
} from '../functions/shared/health-event';

/** The rule's event pattern, in EventBridge's own JSON (the same in every Region). */
export const EXPOSED_KEY_EVENT_PATTERN = {
  source: [HEALTH_EVENT_SOURCE],
  'detail-type': [HEALTH_EVENT_DETAIL_TYPE],
  detail: { eventTypeCode: [EXPOSED_KEY_EVENT_TYPE] },
} as const;

/**
 * The Regions AWS Health delivers IAM's (global) events to, primary first, for a hub in `region`; null
 * where keysweep does not know (the China Regions: their guide names no Region for global events).
 */
export function healthGlobalEventRegions(region: string): string[] | null {
  if (region.startsWith('us-gov-')) return ['us-gov-west-1'];
  if (region.startsWith('cn-')) return null;
  return ['us-east-1', 'us-west-2'];
}

/** The stack, in each such Region other than the hub's, whose rule forwards the events to the hub Region. */
export const exposureEventsStackName = (region: string) => `KeySweepExposureEvents-${region}`;

/** The exposure state machine, named from the hub stack like the sweep's. */
export const exposureStateMachineName = (stackName: string) => `${stackName}-ExposedKey`;
