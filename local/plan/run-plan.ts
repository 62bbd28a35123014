/**
 * One plan: the real state machine and handlers (execute-sweep.ts, as `npm start` runs them) in
 * report mode, whatever the configuration says, with their IAM calls going to a real account
 * through the plan's guarded client (plan-clients.ts) and S3 and SES simulated on this machine
 * (the simulated account with only those two wired in): the report bucket lives in memory until
 * the plan's output is written, and emails are captured, never sent.
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
import { KEYSWEEP_RETRY } from '../../functions/shared/retry-budget';
import { executeSweep, LOCAL_BUCKET, type ReportPolling } from '../execute-sweep';
import { workflowRunOf, type WorkflowRun } from '../run-workflow';
import { SimulatedAccount, type SimulatedCall } from '../simulated-account';

export interface PlanRunOptions {
  config: KeysweepConfig;
  /** the guarded IAM client of the real account */
  iam: IAMClient;
  /** the run's clock */
  now: Date;
  /** the real account's ID (null: unknown): it names the account in the report, the email and plan.csv */
  accountId: string | null;
  version: string;
  executionName?: string;
  /** the IAM calls the guard saw, for the run's statistics */
  iamCalls?: () => readonly SimulatedCall[];
  /** told how many users each batch file that list-users writes holds */
  onUsersToRead?: (count: number) => void;
  /** default: real waits (REPORT_POLLING); tests against an emulator that never makes them wait pass their own */
  reportPolling?: ReportPolling;
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

export async function runPlan(options: PlanRunOptions): Promise<WorkflowRun> {
  const { now } = options;
  // Report mode, whatever the configuration says (the guard refuses writes all the same).
  const config: KeysweepConfig = { ...options.config, mode: 'report' };
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
    execution = await executeSweep({
      config,
      input: {},
      now,
      executionName,
      version: options.version,
      bucket: LOCAL_BUCKET,
      iam: options.iam,
      reportPolling: options.reportPolling ?? realPolling,
      // Not the local runner's made-up account: an account the plan could not name says so.
      accountId: options.accountId ?? 'unknown',
    });
  } finally {
    local.uninstall();
  }
  return workflowRunOf({
    account: local,
    execution,
    now,
    wallMs: Date.now() - started,
    degraded: [],
    otherCalls: options.iamCalls?.() ?? [],
  });
}
