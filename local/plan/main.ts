/**
 * `npm run plan`: what keysweep would do in a real AWS account, read-only, before deploying it.
 * The state machine and handlers of `npm start` run on this machine in report mode; IAM reads go
 * to the account of the default credential chain, every IAM write is refused by the client's
 * read-only guard, S3 and SES stay local (run-plan.ts). Writes what `npm start` writes (but
 * account-after.json) and plan.csv, and prints the summary.
 *
 *   npm run plan -- [--profile NAME] [--region R] [--config FILE] [--out DIR] [--now ISO] [--org]
 *   npm run plan -- --print-policy
 *
 * Exit codes: 0 the plan ran; 3 its run failed (the summary says why); 2 bad input, no valid
 * credentials, or credentials that may not read IAM; 130 (143) stopped by SIGINT (SIGTERM),
 * nothing written; 1 a crash.
 */
import { ListUsersCommand, type IAMClient } from '@aws-sdk/client-iam';
import { parseArgs } from 'node:util';
import { buildVersion } from '../../infra/version';
import {
  checkOutputFolder,
  ExitError,
  exitWith,
  quietNodeVersionWarning,
  usageError,
  writeAndSummarize,
} from '../cli';
import { quietObservability } from '../execute-sweep';
import { InputError, loadConfig } from '../load-inputs';
import { outputFiles } from '../run-output';
import {
  accessDeniedMessage,
  briefError,
  credentialsMessage,
  isAccessDenied,
  isCredentialError,
} from './aws-credentials';
import { InterruptHandling } from './interrupt';
import { planCsv } from './plan-csv';
import { PlanCallLog } from './call-log';
import { createPlanIamClient } from './plan-clients';
import { ProgressLine } from './progress-line';
import { guardReadOnly } from './read-only-guard';
import { planPolicyJson } from './read-only-policy';
import { runPlan } from './run-plan';

quietNodeVersionWarning();

const USAGE =
  'Usage: npm run plan -- [--profile NAME] [--region R] [--config FILE] [--out DIR] [--now ISO] [--org]\n' +
  '       npm run plan -- --print-policy';

const ORG_REFUSED =
  '--org needs the organization support of issue 11, which keysweep does not have yet: plan one account at a time (--profile)';

/** The account's ID from a first read, which also tries the credentials before anything else runs. */
async function identifyAccount(iam: IAMClient, profile: string | undefined): Promise<string | null> {
  try {
    const page = await iam.send(new ListUsersCommand({ MaxItems: 1 }));
    return /^arn:[^:]+:iam::(\d{12}):/.exec(page.Users?.[0]?.Arn ?? '')?.[1] ?? null;
  } catch (error) {
    if (isCredentialError(error)) throw new ExitError(credentialsMessage(error, profile), 2);
    if (isAccessDenied(error)) throw new ExitError(accessDeniedMessage(error), 2);
    throw new ExitError(`IAM could not be read (${briefError(error)})`, 1);
  }
}

function parseNow(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const now = new Date(text);
  if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(now.getTime()))
    throw new InputError(`--now must be an ISO 8601 date-time, e.g. 2026-11-28T08:00:00Z (got "${text}")`);
  return now;
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        profile: { type: 'string' },
        region: { type: 'string' },
        config: { type: 'string' },
        out: { type: 'string', default: 'plan-out' },
        now: { type: 'string' },
        org: { type: 'boolean' },
        'print-policy': { type: 'boolean' },
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
  if (args['print-policy']) {
    process.stdout.write(planPolicyJson());
    return 0;
  }
  if (args.org) throw new ExitError(ORG_REFUSED, 2);
  checkOutputFolder(args.out);
  const config = loadConfig({ configFile: args.config, mode: 'report' });
  const now = parseNow(args.now);

  const progress = new ProgressLine(process.stdout);
  const log = new PlanCallLog((call) => progress.iamCall(call.operation, call.input));
  const iam = createPlanIamClient({
    profile: args.profile,
    region: args.region,
    observer: log.observer('IAM'),
  });
  // The handlers get the plan's client; the functions' own IAM client is guarded all the same.
  quietObservability();
  guardReadOnly((await import('../../functions/shared/clients')).iam, 'IAM');
  const interrupt = new InterruptHandling({ outDir: args.out, beforeExit: () => progress.clear(true) });
  try {
    const accountId = await identifyAccount(iam, args.profile);
    progress.clear();
    console.log(
      `keysweep plan: account ${accountId ?? '(unknown: no IAM users)'}, read-only: IAM reads only, ` +
        `the report bucket and emails stay on this machine; keys judged as of ${now.toISOString()}`,
    );
    const run = await runPlan({
      config,
      iam,
      now,
      accountId,
      version: buildVersion().version,
      iamCalls: () => log.calls,
      onUsersToRead: (count) => progress.addUsersToRead(count),
    });
    progress.clear(true);
    // Credentials that stopped working mid-run leave a plan with holes: say so, write nothing.
    const expired = log.errors.find(({ error }) => isCredentialError(error));
    if (expired) throw new ExitError(credentialsMessage(expired.error, args.profile), 2);

    const files = { ...outputFiles(run, { accountAfter: false }) };
    if (run.report) files['plan.csv'] = planCsv(run.report);
    writeAndSummarize(args.out, run, files);
    interrupt.markWritten();
    const denied = log.errors.filter(({ error }) => isAccessDenied(error));
    if (denied[0])
      console.log(`  IAM refused ${denied.length} reads: ${accessDeniedMessage(denied[0].error)}`);
    if (log.refusedOperations.length > 0)
      console.log(`  The read-only guard refused: ${[...new Set(log.refusedOperations)].join(', ')}`);
    return run.status === 'SUCCEEDED' ? 0 : 3;
  } finally {
    progress.clear(true);
    interrupt.dispose();
  }
}

exitWith(main(process.argv.slice(2)));
