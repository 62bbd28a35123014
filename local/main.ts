/**
 * `npm start`: runs the real state machine locally against a simulated account (by default
 * the built-in demo account), prints a short summary and writes the run's files to out/. With
 * --state, the report bucket (key index, earlier reports) is kept in a folder from run to run.
 *
 *   npm start -- [--account FILE] [--config FILE] [--out DIR] [--mode report|enforce] [--input JSON]
 *                [--state DIR] [--now ISO]
 *   npm start -- --event FILE [--account FILE] [--config FILE] [--out DIR] [--state DIR] [--now ISO]
 *
 * With --event, the exposure path runs instead of the sweep: its state machine on that AWS Health
 * event (exposure-cli.ts).
 *
 * Exit codes: 0 the execution succeeded; 3 it failed, or its deployment's permissions would not let
 * it start (see the summary); 2 bad input; 1 crash.
 */
import { parseArgs } from 'node:util';
import { buildVersion } from '../infra/version';
import { checkOutputFolder, exitWith, quietNodeVersionWarning, usageError, writeAndSummarize } from './cli';
import { runExposureCommand } from './exposure-cli';
import {
  InputError,
  DEMO_ACCOUNT,
  DEMO_CONFIG,
  DEMO_ORGANIZATION,
  DEMO_ORGANIZATION_CONFIG,
  loadAccountOrOrganization,
  loadConfig,
} from './load-inputs';
import { isOrganizationFile } from './simulated-account';
import { outputFiles } from './run-output';
import { runWorkflow } from './run-workflow';
import { parseIsoDateTime } from './simulated-account';
import { freshExecutionName, loadState, stateLine, saveRunState } from './state-folder';

quietNodeVersionWarning();

const USAGE = [
  'Usage: npm start -- [--account FILE | --demo-org] [--config FILE] [--out DIR] [--mode report|enforce] [--input JSON] [--state DIR] [--now ISO]',
  '       npm start -- --event FILE [--account FILE] [--config FILE] [--out DIR] [--state DIR] [--now ISO]',
].join('\n');

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        account: { type: 'string' },
        config: { type: 'string' },
        out: { type: 'string', default: 'out' },
        mode: { type: 'string' },
        input: { type: 'string' },
        state: { type: 'string' },
        now: { type: 'string' },
        'demo-org': { type: 'boolean' },
        event: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw usageError(error, USAGE);
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  checkOutputFolder(args.out);
  if (args.event !== undefined) return runExposureCommand({ ...args, event: args.event });
  const bucketObjects = args.state === undefined ? {} : loadState(args.state, args.out);
  const demoOrg = args['demo-org'] === true;
  if (demoOrg && args.account !== undefined)
    throw new InputError(`--demo-org and --account exclude each other\n${USAGE}`);
  const demo = args.account === undefined;
  const configFile = args.config ?? (demoOrg ? DEMO_ORGANIZATION_CONFIG : demo ? DEMO_CONFIG : undefined);
  const config = loadConfig({ configFile, mode: args.mode });
  let account = loadAccountOrOrganization(args.account ?? (demoOrg ? DEMO_ORGANIZATION : DEMO_ACCOUNT));
  if (isOrganizationFile(account) !== config.organization.enabled) {
    throw new InputError(
      isOrganizationFile(account)
        ? `${args.account ?? 'the demo organization'} describes an organization: the configuration needs organization.enabled (and its IDs), e.g. --config local/demo-organization-config.json`
        : 'the configuration has organization.enabled: give an organization file with --account, or --demo-org',
    );
  }
  if (args.now !== undefined) {
    if (parseIsoDateTime(args.now) === undefined) {
      throw new InputError(
        `--now must be an ISO 8601 date-time with a time zone, e.g. "2026-11-29T08:00:00Z" (got "${args.now}")`,
      );
    }
    // The run's clock; account-after.json carries it, so the next day is this one plus a day.
    account = { ...account, now: args.now };
  }
  let input: unknown = {};
  if (args.input !== undefined) {
    try {
      input = JSON.parse(args.input);
    } catch (error) {
      throw new InputError(`--input is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (demoOrg) {
    console.log(
      `Using the built-in demo organization${args.config === undefined ? ' and its settings (local/demo-organization-config.json)' : ''}.`,
    );
  } else if (demo) {
    console.log(
      `Using the built-in demo account${args.config === undefined ? ' and demo settings (local/demo-config.json)' : ''}.`,
    );
  }
  if (args.state !== undefined) console.log(stateLine(args.state, bucketObjects));
  const now = new Date(account.now ?? Date.now());
  const run = await runWorkflow({
    account,
    config,
    input,
    version: buildVersion().version,
    bucketObjects,
    now,
    executionName: freshExecutionName(now, bucketObjects),
  });
  writeAndSummarize(args.out, run, outputFiles(run));
  if (args.state !== undefined) saveRunState(args.state, run);
  return run.status === 'SUCCEEDED' ? 0 : 3;
}

exitWith(main(process.argv.slice(2)));
