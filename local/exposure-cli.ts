/**
 * `npm start -- --event FILE`: the exposure path's state machine on an AWS Health
 * AWS_RISK_CREDENTIALS_EXPOSED event, against the simulated account (or organization), as EventBridge
 * would start it. The event file is checked first: a file that is not such an event is bad input
 * (exit 2) with a message naming each problem. Without --account the demo account and the demo
 * settings apply (local/demo-exposure-event.json names one of its keys). With --state the report
 * bucket is kept as for the sweep, so the next day's sweep reports the exposed key's deactivation.
 */
import { writeOutputAtomically } from './write-output';
import { buildVersion } from '../infra/version';
import { exposureOutputFiles, exposureSummaryLines } from './exposure-output';
import {
  DEMO_ACCOUNT,
  DEMO_CONFIG,
  InputError,
  loadAccountOrOrganization,
  loadConfig,
  loadExposureEvent,
} from './load-inputs';
import { bucketObjectsOf, LOCAL_BUCKET } from './run-workflow';
import { runExposure } from './run-exposure';
import { parseIsoDateTime } from './simulated-account';
import { freshExecutionName, loadState, stateLine, writeStateAtomically } from './state-folder';

export interface ExposureCommandArgs {
  event: string;
  account?: string | undefined;
  config?: string | undefined;
  out: string;
  mode?: string | undefined;
  input?: string | undefined;
  state?: string | undefined;
  now?: string | undefined;
}

export async function runExposureCommand(args: ExposureCommandArgs): Promise<number> {
  if (args.mode !== undefined || args.input !== undefined) {
    throw new InputError(
      '--mode and --input are the sweep\'s; with --event the exposure path runs, and the setting "exposedKeys" decides whether it deactivates',
    );
  }
  const event = loadExposureEvent(args.event);
  const bucketObjects = args.state === undefined ? {} : loadState(args.state, args.out);
  const demo = args.account === undefined;
  const config = loadConfig({ configFile: args.config ?? (demo ? DEMO_CONFIG : undefined) });
  let account = loadAccountOrOrganization(args.account ?? DEMO_ACCOUNT);
  if (args.now !== undefined) {
    if (parseIsoDateTime(args.now) === undefined) {
      throw new InputError(
        `--now must be an ISO 8601 date-time with a time zone, e.g. "2026-11-29T08:00:00Z" (got "${args.now}")`,
      );
    }
    account = { ...account, now: args.now };
  }
  if (demo) {
    console.log(
      `Using the built-in demo account${args.config === undefined ? ' and demo settings (local/demo-config.json)' : ''}.`,
    );
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
  if (args.state !== undefined) {
    writeStateAtomically(args.state, bucketObjectsOf(run), {
      bucket: LOCAL_BUCKET,
      savedAt: run.now.toISOString(),
      executionName: run.executionName,
    });
    console.log(`  state: ${args.state}/ (the report bucket, for the next --state run)`);
  }
  return run.status === 'SUCCEEDED' ? 0 : 3;
}
