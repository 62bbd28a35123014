/**
 * `npm start -- --event FILE`: the exposure path's state machine on an AWS Health
 * AWS_RISK_CREDENTIALS_EXPOSED event, against the simulated account (or organization), as EventBridge
 * would start it. The event file is checked first: a file that is not such an event is bad input
 * (exit 2) with a message naming each problem. Without --account the demo account and the demo
 * settings apply (local/demo-exposure-event.json names one of its keys); with --demo-org the demo
 * organization and its settings (local/demo-organization-exposure-event.json names a key of its prod
 * account, acted on through the member role). With --state the report
 * bucket is kept as for the sweep, so the next day's sweep reports the exposed key's deactivation.
 */
import { writeOutputAtomically } from './write-output';
import { buildVersion } from '../infra/version';
import { exposureOutputFiles, exposureSummaryLines } from './exposure-output';
import {
  DEMO_ACCOUNT,
  DEMO_CONFIG,
  DEMO_ORGANIZATION,
  DEMO_ORGANIZATION_CONFIG,
  InputError,
  loadAccountOrOrganization,
  loadConfig,
  loadExposureEvent,
} from './load-inputs';
import { runExposure } from './run-exposure';
import { parseIsoDateTime } from './simulated-account';
import { freshExecutionName, loadState, stateLine, saveRunState } from './state-folder';

export interface ExposureCommandArgs {
  event: string;
  account?: string | undefined;
  config?: string | undefined;
  out: string;
  mode?: string | undefined;
  input?: string | undefined;
  state?: string | undefined;
  now?: string | undefined;
  /** the demo organization and its settings instead of the demo account */
  'demo-org'?: boolean | undefined;
}

export async function runExposureCommand(args: ExposureCommandArgs): Promise<number> {
  if (args.mode !== undefined || args.input !== undefined) {
    throw new InputError(
      '--mode and --input are the sweep\'s; with --event the exposure path runs, and the setting "exposedKeys" decides whether it deactivates',
    );
  }
  const event = loadExposureEvent(args.event);
  const bucketObjects = args.state === undefined ? {} : loadState(args.state, args.out);
  const demoOrg = args['demo-org'] === true;
  if (demoOrg && args.account !== undefined)
    throw new InputError('--demo-org and --account exclude each other');
  const demo = args.account === undefined;
  const demoConfig = demoOrg ? DEMO_ORGANIZATION_CONFIG : DEMO_CONFIG;
  const config = loadConfig({ configFile: args.config ?? (demo ? demoConfig : undefined) });
  let account = loadAccountOrOrganization(args.account ?? (demoOrg ? DEMO_ORGANIZATION : DEMO_ACCOUNT));
  if (args.now !== undefined) {
    if (parseIsoDateTime(args.now) === undefined) {
      throw new InputError(
        `--now must be an ISO 8601 date-time with a time zone, e.g. "2026-11-29T08:00:00Z" (got "${args.now}")`,
      );
    }
    account = { ...account, now: args.now };
  }
  if (demo) {
    const what = demoOrg
      ? 'demo organization and its settings (local/demo-organization-config.json)'
      : 'demo account and demo settings (local/demo-config.json)';
    console.log(`Using the built-in ${args.config === undefined ? what : what.split(' and ')[0]}.`);
  }
  if (args.state !== undefined) console.log(stateLine(args.state, bucketObjects));
  const now = new Date(account.now ?? Date.now());
  const run = await runExposure({
    account,
    config,
    event,
    version: buildVersion().version,
    bucketObjects,
    now,
    executionName: freshExecutionName(now, bucketObjects, 'exposure'),
  });
  const files = exposureOutputFiles(run);
  writeOutputAtomically(args.out, files);
  for (const line of exposureSummaryLines(run, args.out, Object.keys(files))) console.log(line);
  if (args.state !== undefined) saveRunState(args.state, run);
  return run.status === 'SUCCEEDED' ? 0 : 3;
}
