/**
 * One plan: the real state machine and handlers (execute-sweep.ts, as `npm start` runs them) in
 * report mode, whatever the configuration says, with their IAM calls going to a real account
 * through the plan's guarded client (plan-clients.ts) and S3 and SES simulated on this machine
 * (the simulated account with only those two wired in): the report bucket lives in memory until
 * the plan's output is written, and emails are captured, never sent. An organization's plan
 * (`--org`) runs the organization state machine (execute-organization.ts) the same way, its
 * handlers given the plan's STS, member-role IAM and Organizations clients
 * (organization-clients.ts), every account in report mode (accountOverrides' modes left out).
 *
 * Differences from `npm start`, each for a real account:
 * - waits are real: list-users polls a credential report being generated as in Lambda
 *   (REPORT_POLLING), and keysweep's own IAM retry backs off as in Lambda (KEYSWEEP_RETRY);
 * - the deployment's policies are not enforced on the local S3 and SES (what they would allow in
 *   AWS is what `npm start` and the workflow tests check); IAM enforces the caller's own;
 * - the report bucket starts empty, so a plan is always a first run and reads every user.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { REPORT_POLLING } from '../../functions/list-users/credential-report';
import type { KeysweepConfig } from '../../functions/shared/config';
import { layout } from '../../functions/shared/report-layout';
import { KEYSWEEP_RETRY } from '../../functions/shared/retry-budget';
import type { Report } from '../../functions/send-report/report-model';
import { executeOrganizationSweep } from '../execute-organization';
import { executeSweep, LOCAL_BUCKET, type ReportPolling, type SweepExecution } from '../execute-sweep';
import { workflowRunOf, type WorkflowRun } from '../run-workflow';
import { SimulatedAccount, type SimulatedCall } from '../simulated-account';
import type { PlanOrganizationClients } from './organization-clients';

/** What a plan of one account and a plan of an organization share. */
interface PlanOptions {
  config: KeysweepConfig;
  /** the run's clock */
  now: Date;
  version: string;
  executionName?: string;
  /** the calls the plan's guarded clients made (call-log.ts), for the run's statistics */
  calls?: () => readonly SimulatedCall[];
  /** told how many users each batch file that list-users writes holds */
  onUsersToRead?: (count: number) => void;
  /** default: real waits (REPORT_POLLING); tests against an emulator that never makes them wait pass their own */
  reportPolling?: ReportPolling;
}

export interface PlanRunOptions extends PlanOptions {
  /** the guarded IAM client of the real account */
  iam: IAMClient;
  /** the real account's ID (null: unknown): it names the account in the report, the email and plan.csv */
  accountId: string | null;
}

export interface OrganizationPlanOptions extends PlanOptions {
  /** the plan's guarded STS, member-role IAM and Organizations (organization-clients.ts) */
  clients: PlanOrganizationClients;
  /** the hub: the account of the plan's credentials (hub-identity.ts) */
  hubAccountId: string;
}

const USERS_FILE = /batches\/\d{4}-users\.json$/;

function usersInBatchFile(body: unknown): number {
  if (typeof body !== 'string') return 0;
  try {
    const parsed: unknown = JSON.parse(body);
    const users: unknown = parsed !== null && typeof parsed === 'object' ? Reflect.get(parsed, 'users') : [];
    return Array.isArray(users) ? users.length : 0;
  } catch {
    return 0;
  }
}

const realPolling: ReportPolling = {
  ...REPORT_POLLING,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * S3 and SES on this machine, and an execution against them: the report bucket in memory, emails
 * captured, list-users' batch files told to `onUsersToRead`.
 */
async function withLocalServices(
  options: PlanOptions,
  execute: (config: KeysweepConfig, executionName: string, polling: ReportPolling) => Promise<SweepExecution>,
  organization: boolean,
): Promise<WorkflowRun> {
  const { now } = options;
  // Report mode, whatever the configuration says (the guards refuse writes all the same); in an
  // organization, no account's override may say otherwise.
  const config: KeysweepConfig = {
    ...options.config,
    mode: 'report',
    organization: { ...options.config.organization, accountOverrides: {} },
  };
  const executionName = options.executionName ?? `plan-${now.toISOString().replace(/[:.]/g, '-')}`;
  // keysweep's own IAM retry waits as in Lambda (the local runner's default is 1 ms, for simulations).
  process.env.KEYSWEEP_RETRY_BASE_MS ??= String(KEYSWEEP_RETRY.baseDelayMs);

  const local = new SimulatedAccount(
    { users: [] },
    {
      now,
      services: ['S3', 'SES'],
      ses: { verifiedIdentities: [config.senderEmail], sandbox: false },
      faults: {
        beforeCall: (call) => {
          if (call.service !== 'S3' || call.operation !== 'PutObject') return;
          if (!USERS_FILE.test(String(call.input.Key))) return;
          options.onUsersToRead?.(usersInBatchFile(call.input.Body));
        },
      },
    },
  );
  const started = Date.now();
  local.install();
  let execution;
  try {
    execution = await execute(config, executionName, options.reportPolling ?? realPolling);
  } finally {
    local.uninstall();
  }
  return workflowRunOf({
    account: local,
    execution,
    now,
    wallMs: Date.now() - started,
    degraded: [],
    otherCalls: options.calls?.() ?? [],
    organization,
  });
}

export function runPlan(options: PlanRunOptions): Promise<WorkflowRun> {
  return withLocalServices(
    options,
    (config, executionName, reportPolling) =>
      executeSweep({
        config,
        input: {},
        now: options.now,
        executionName,
        version: options.version,
        bucket: LOCAL_BUCKET,
        iam: options.iam,
        reportPolling,
        // Not the local runner's made-up account: an account the plan could not name says so.
        accountId: options.accountId ?? 'unknown',
      }),
    false,
  );
}

export function runOrganizationPlan(options: OrganizationPlanOptions): Promise<WorkflowRun> {
  const { sts, accountIam, organizationsWith } = options.clients;
  return withLocalServices(
    options,
    (config, executionName, reportPolling) =>
      executeOrganizationSweep({
        config,
        input: {},
        now: options.now,
        executionName,
        version: options.version,
        bucket: LOCAL_BUCKET,
        sts,
        accountIam,
        organizationsWith,
        reportPolling,
        accountId: options.hubAccountId,
      }),
    true,
  );
}

/** Each swept account's report.json, as the organization run stored it in the local report bucket. */
export function accountReportsOf(run: WorkflowRun): Report[] {
  if (run.files === null || run.organizationReport === null) return [];
  const reports: Report[] = [];
  for (const account of run.organizationReport.accounts) {
    const key = layout.report(layout.accountPrefix(run.files.prefix, account.accountId));
    const text = run.account.getObjectText(LOCAL_BUCKET, key);
    if (text !== undefined) reports.push(JSON.parse(text) as Report);
  }
  return reports;
}
