/**
 * `npm run plan`: what keysweep would do in a real AWS account, or every account of an
 * organization (`--org`), read-only, before deploying it. The state machines and handlers of
 * `npm start` run on this machine in report mode; IAM reads go to the account of the default
 * credential chain (with --org: to each account, through its member role), every call that is not
 * a read is refused by the clients' read-only guards, S3 and SES stay local (run-plan.ts). Writes
 * what `npm start` writes (but account-after.json) and plan.csv, and prints the summary.
 *
 *   npm run plan -- [--profile NAME] [--region R] [--config FILE] [--out DIR] [--now ISO] [--org]
 *   npm run plan -- --print-policy [--org [--config FILE]]
 *
 * Exit codes: 0 the plan ran; 3 its run failed (the summary says why: with --org, an account it
 * could not reach is one reason); 2 bad input, no valid credentials, credentials that may not read
 * IAM, or (--org) credentials of another account than the hub; 130 (143) stopped by SIGINT
 * (SIGTERM), nothing written; 1 a crash.
 */
import { ListUsersCommand, type IAMClient } from '@aws-sdk/client-iam';
import { parseArgs } from 'node:util';
import type { KeysweepConfig } from '../../functions/shared/config';
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
import type { WorkflowRun } from '../run-workflow';
import {
  accessDeniedMessage,
  briefError,
  credentialsMessage,
  isAccessDenied,
  isCredentialError,
} from './aws-credentials';
import { PlanCallLog } from './call-log';
import { identifyHub, type HubIdentity } from './hub-identity';
import { InterruptHandling } from './interrupt';
import { planOrganizationClients } from './organization-clients';
import {
  checkOrganizationOption,
  listingFailedLines,
  organizationPlanLine,
  plannedOrganization,
  unreachableLines,
} from './organization-plan';
import { planCsv } from './plan-csv';
import { createPlanIamClient } from './plan-clients';
import { ProgressLine } from './progress-line';
import { guardReadOnly } from './read-only-guard';
import { organizationPlanPolicyJson, plannedRoleName, planPolicyJson } from './read-only-policy';
import { accountReportsOf, runOrganizationPlan, runPlan } from './run-plan';

quietNodeVersionWarning();

const USAGE =
  'Usage: npm run plan -- [--profile NAME] [--region R] [--config FILE] [--out DIR] [--now ISO] [--org]\n' +
  '       npm run plan -- --print-policy [--org [--config FILE]]';

interface PlanArgs {
  profile: string | undefined;
  region: string | undefined;
  config: KeysweepConfig;
  now: Date;
}

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

/** One account: the credentials' own. */
async function planAccount(args: PlanArgs, log: PlanCallLog, progress: ProgressLine) {
  const iam = createPlanIamClient({
    profile: args.profile,
    region: args.region,
    observer: log.observer('IAM'),
  });
  const accountId = await identifyAccount(iam, args.profile);
  progress.clear();
  console.log(
    `keysweep plan: account ${accountId ?? '(unknown: no IAM users)'}, read-only: IAM reads only, ` +
      `the report bucket and emails stay on this machine; keys judged as of ${args.now.toISOString()}`,
  );
  const run = await runPlan({
    config: args.config,
    iam,
    now: args.now,
    accountId,
    version: buildVersion().version,
    calls: () => log.calls,
    onUsersToRead: (count) => progress.addUsersToRead(count),
  });
  return { run, csv: run.report ? planCsv(run.report) : undefined, notes: [] };
}

/** Every account of the organization's settings, each through its member role, as the hub. */
async function planOrganization(args: PlanArgs, log: PlanCallLog, progress: ProgressLine) {
  const org = plannedOrganization(args.config);
  const clients = planOrganizationClients({
    ...(args.profile !== undefined ? { profile: args.profile } : {}),
    ...(args.region !== undefined ? { region: args.region } : {}),
    log,
    // The read-only plan role with organization.planPrincipals, else the member role.
    organization: { memberRoleName: plannedRoleName(org) },
  });
  const hub: HubIdentity = await identifyHub(clients.sts, org.hubAccountId, args.profile);
  progress.clear();
  console.log(organizationPlanLine(org, hub, args.now));
  const run = await runOrganizationPlan({
    config: args.config,
    clients,
    hubAccountId: hub.accountId,
    now: args.now,
    version: buildVersion().version,
    calls: () => log.calls,
    onUsersToRead: (count) => progress.addUsersToRead(count),
  });
  return {
    run,
    csv: planCsv(...accountReportsOf(run)),
    notes: [...listingFailedLines(run, org, hub), ...unreachableLines(run, org, hub)],
  };
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
  const org = args.org === true;
  if (args['print-policy']) {
    if (!org) {
      process.stdout.write(planPolicyJson());
      return 0;
    }
    const planned = plannedOrganization(loadConfig({ configFile: args.config, mode: 'report' }));
    // The policy on stdout (to pipe into a file), the role it is for on stderr.
    console.error(
      planned.planPrincipals.length > 0
        ? `keysweep plan --org assumes the read-only plan role ${plannedRoleName(planned)} in each account (organization.planPrincipals)`
        : `keysweep plan --org assumes the role ${plannedRoleName(planned)} in each account (organization.memberRoleName; ` +
            'the member role keysweep deploys trusts only the hub’s functions: set organization.planPrincipals for a plan role)',
    );
    process.stdout.write(organizationPlanPolicyJson(planned));
    return 0;
  }
  checkOutputFolder(args.out);
  const config = loadConfig({ configFile: args.config, mode: 'report' });
  checkOrganizationOption(config, org);
  const planArgs: PlanArgs = { profile: args.profile, region: args.region, config, now: parseNow(args.now) };

  const progress = new ProgressLine(process.stdout);
  const log = new PlanCallLog((call) => {
    if (call.service === 'IAM') progress.iamCall(call.operation, call.input, call.account);
  });
  // The handlers get the plan's clients; the functions' own are guarded all the same.
  quietObservability();
  const functionClients = await import('../../functions/shared/clients');
  guardReadOnly(functionClients.iam, 'IAM');
  guardReadOnly(functionClients.sts, 'STS');
  const interrupt = new InterruptHandling({ outDir: args.out, beforeExit: () => progress.clear(true) });
  try {
    const plan: { run: WorkflowRun; csv: string | undefined; notes: string[] } = org
      ? await planOrganization(planArgs, log, progress)
      : await planAccount(planArgs, log, progress);
    const { run } = plan;
    progress.clear(true);
    // Credentials that stopped working mid-run leave a plan with holes: say so, write nothing.
    const expired = log.errors.find(({ error }) => isCredentialError(error));
    if (expired) throw new ExitError(credentialsMessage(expired.error, args.profile), 2);

    const files = { ...outputFiles(run, { accountAfter: false }) };
    if (plan.csv !== undefined) files['plan.csv'] = plan.csv;
    writeAndSummarize(args.out, run, files);
    interrupt.markWritten();
    for (const line of plan.notes) console.log(line);
    const denied = log.errors.filter(({ service, error }) => service === 'IAM' && isAccessDenied(error));
    if (denied[0]) {
      console.log(
        org
          ? `  IAM refused ${denied.length} reads in member accounts, which their member role or an SCP does not allow (${briefError(denied[0].error)})`
          : `  IAM refused ${denied.length} reads: ${accessDeniedMessage(denied[0].error)}`,
      );
    }
    if (log.refusedOperations.length > 0)
      console.log(`  The read-only guard refused: ${[...new Set(log.refusedOperations)].join(', ')}`);
    return run.status === 'SUCCEEDED' ? 0 : 3;
  } finally {
    progress.clear(true);
    interrupt.dispose();
  }
}

exitWith(main(process.argv.slice(2)));
