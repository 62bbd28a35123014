/**
 * A plan (local/plan/run-plan.ts) over the demo account, its IAM answered by a simulated account
 * standing in for the real one (IAM only, every call through the SDK client's middleware, so
 * through the plan's read-only guard): it makes the decisions `npm start` makes in report mode,
 * changes nothing, writes no full key ID outside report.json, and a bug that asked it to act
 * would still change nothing. test/emulator/plan.test.ts runs plans over HTTP against moto.
 */
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { redactAccessKeyIds } from '../../functions/shared/masking';
import { DEMO_ACCOUNT, DEMO_CONFIG, loadAccount, loadConfig } from '../../local/load-inputs';
import { executeSweep, LOCAL_BUCKET, type ReportPolling } from '../../local/execute-sweep';
import { planCsv } from '../../local/plan/plan-csv';
import { PlanCallLog } from '../../local/plan/call-log';
import { createPlanIamClient } from '../../local/plan/plan-clients';
import { ReadOnlyViolation } from '../../local/plan/read-only-guard';
import { runPlan } from '../../local/plan/run-plan';
import { summaryLines } from '../../local/print-summary';
import { outputFiles } from '../../local/run-output';
import { runWorkflow, type WorkflowRun } from '../../local/run-workflow';
import { SimulatedAccount } from '../../local/simulated-account';
import { FULL_KEY_ID } from '../key-ids';
import { daysAgo, IAM_WRITES, keyIndexObjects } from './sweep-fixtures';

jest.setTimeout(120_000);

const demo = loadAccount(DEMO_ACCOUNT);
const config = loadConfig({ configFile: DEMO_CONFIG });
const now = new Date(demo.now ?? '');
/** The report bucket of an earlier run that saw erin's key inactive 200 days ago. */
const SEEN_ERIN_INACTIVE = keyIndexObjects(demo, (_key, user) =>
  user.userName === 'erin' ? daysAgo(200) : null,
);
const NO_WAITS: ReportPolling = { maxPolls: 10, pollDelayMs: 0, sleep: async () => undefined };

/** The demo account as the real account a plan reads: IAM only, through the SDK's middleware. */
function realAccount(): SimulatedAccount {
  return new SimulatedAccount(demo, { now, services: ['IAM'], sdkMiddleware: true });
}

const decisions = (run: WorkflowRun) =>
  Object.fromEntries(
    (run.report?.entries ?? []).map((e) => [
      `${e.userName} ${e.maskedAccessKeyId}`,
      `${e.action}/${e.rule}/${e.result}`,
    ]),
  );

/** Each full key ID in a text, as a masked excerpt of where it stands. */
const leaksIn = (text: string) =>
  [...text.matchAll(new RegExp(FULL_KEY_ID.source, 'g'))].map((m) =>
    redactAccessKeyIds(text).slice(Math.max(0, m.index - 60), m.index + 60),
  );

describe('a plan over the demo account', () => {
  let iamAccount: SimulatedAccount;
  let plan: WorkflowRun;
  let log: PlanCallLog;
  let started: WorkflowRun;

  beforeAll(async () => {
    iamAccount = realAccount().install();
    log = new PlanCallLog();
    try {
      plan = await runPlan({
        // enforce, as the demo settings' base (cdk.json) says: the plan runs in report mode all the same
        config: { ...config, mode: 'enforce' },
        iam: createPlanIamClient({ observer: log.observer('IAM') }),
        now,
        accountId: '111122223333',
        version: 'plan-test',
        calls: () => log.calls,
        reportPolling: NO_WAITS,
      });
    } finally {
      iamAccount.uninstall();
    }
    started = await runWorkflow({ account: demo, config: { ...config, mode: 'report' } });
  });

  it('decides every key as npm start does in report mode', () => {
    expect(plan.status).toBe('SUCCEEDED');
    expect(plan.report?.mode).toBe('report');
    expect(Object.keys(decisions(plan))).toHaveLength(22);
    expect(decisions(plan)).toEqual(decisions(started));
    expect(plan.report?.counts).toEqual(started.report?.counts);
    // It had something to do: deactivations, warnings and exemptions. No deletion: a plan starts with
    // an empty report bucket, and without keysweep's key index deletion is paused.
    expect(plan.report?.counts.byAction).toMatchObject({ deactivate: 8, delete: 0, warn: 4, exempt: 3 });
    expect(plan.report?.deletionPaused).toContain('first run: keysweep has no key index yet');
  });

  it('made IAM reads only, and changed nothing', () => {
    const operations = new Set(iamAccount.calls.map((c) => `IAM.${c.operation}`));
    expect(operations).toEqual(
      new Set([
        'IAM.GenerateCredentialReport',
        'IAM.GetCredentialReport',
        'IAM.ListUsers',
        'IAM.ListAccessKeys',
        'IAM.ListUserTags',
        'IAM.ListGroupsForUser',
        'IAM.GetAccessKeyLastUsed',
      ]),
    );
    for (const write of IAM_WRITES) expect(operations).not.toContain(write);
    expect(iamAccount.toAccountFile()).toEqual(demo);
    // The statistics count the plan's IAM calls, which the local S3 and SES did not see.
    expect(plan.stats.awsCalls['IAM.ListAccessKeys']).toBe(demo.users.length);
    expect(log.refusedOperations).toEqual([]);
  });

  it('names the real account in the report and plan.csv', () => {
    expect(plan.report?.accountId).toBe('111122223333');
    const csv = planCsv(plan.report ?? (null as never));
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1 + 22);
    expect(csv).toContain('111122223333,alice,AKIA************MPLE,210,');
  });

  it('writes no full key ID outside report.json, nor prints one', () => {
    const files: Record<string, string> = {
      ...outputFiles(plan, { accountAfter: false }),
      'plan.csv': planCsv(plan.report ?? (null as never)),
    };
    expect(Object.keys(files).sort()).toEqual([
      'email.html',
      'email.txt',
      'execution.json',
      'plan.csv',
      'report.json',
      'stats.json',
    ]);
    expect(files['report.json']).toMatch(FULL_KEY_ID);
    for (const [name, text] of Object.entries(files)) {
      if (name === 'report.json') continue;
      expect({ name, leaks: leaksIn(text) }).toEqual({ name, leaks: [] });
    }
    expect(leaksIn(summaryLines(plan, 'plan-out', Object.keys(files)).join('\n'))).toEqual([]);
  });
});

it('says when enforcing would trip the circuit breaker', async () => {
  const iamAccount = realAccount().install();
  let plan;
  try {
    plan = await runPlan({
      config: { ...config, maxActionsPerRun: 3 },
      iam: createPlanIamClient(),
      now,
      accountId: null,
      version: 'plan-test',
      reportPolling: NO_WAITS,
    });
  } finally {
    iamAccount.uninstall();
  }
  expect(plan.status).toBe('SUCCEEDED');
  expect(plan.report?.accountId).toBe('unknown');
  expect(summaryLines(plan, 'plan-out', [])).toContain(
    '  enforcing would trip the circuit breaker: 8 planned changes, maxActionsPerRun 3 (an enforced run would change nothing and fail)',
  );
});

describe('a plan that a bug asks to act', () => {
  it('refuses the deactivations and deletions at its IAM client: the account is unchanged', async () => {
    const iamAccount = realAccount().install();
    const log = new PlanCallLog();
    let execution;
    const local = new SimulatedAccount(
      { users: [] },
      { now, services: ['S3', 'SES'], ses: { verifiedIdentities: [config.senderEmail], sandbox: false } },
    ).install();
    // A key index that has seen erin's key inactive for 200 days, so that a deletion is planned too.
    for (const [key, body] of Object.entries(SEEN_ERIN_INACTIVE))
      local.putObjectText(LOCAL_BUCKET, key, body);
    try {
      // The plan's client, but the state machine run in enforce mode, as a bug in run-plan.ts might.
      execution = await executeSweep({
        config: { ...config, mode: 'enforce' },
        input: { fullScan: true },
        now,
        executionName: 'plan-bug',
        version: 'plan-test',
        bucket: LOCAL_BUCKET,
        iam: createPlanIamClient({ observer: log.observer('IAM') }),
        reportPolling: NO_WAITS,
      });
    } finally {
      local.uninstall();
      iamAccount.uninstall();
    }
    const report = JSON.parse(
      local.getObjectText(LOCAL_BUCKET, 'runs/2026-11-28/plan-bug/report.json') ?? '{}',
    ) as NonNullable<WorkflowRun['report']>;
    // Every planned change was tried, refused by the guard, and recorded as failed.
    const planned = report.entries.filter((e) => e.action === 'deactivate' || e.action === 'delete');
    expect(planned).toHaveLength(9);
    for (const entry of planned) {
      expect(entry.result).toBe('failed');
      expect(entry.error).toContain('KeysweepPlanIsReadOnly');
    }
    expect(execution.status).toBe('FAILED');
    expect(new Set(log.refusedOperations)).toEqual(new Set(['IAM.UpdateAccessKey', 'IAM.DeleteAccessKey']));
    // Nothing reached the account: no write, every key as it was.
    expect(iamAccount.calls.filter((c) => IAM_WRITES.includes(`IAM.${c.operation}`))).toEqual([]);
    expect(iamAccount.toAccountFile()).toEqual(demo);
  });

  it('refuses a write sent through any client it guards, as it guards the functions’ own', async () => {
    // As local/plan/main.ts guards it; a client of its own here, so later tests keep theirs.
    const { guardReadOnly } = await import('../../local/plan/read-only-guard');
    const iamAccount = realAccount().install();
    try {
      const client = guardReadOnly(new IAMClient({ region: 'us-east-1' }), 'IAM');
      await expect(
        client.send(
          new UpdateAccessKeyCommand({
            UserName: 'alice',
            AccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
            Status: 'Inactive',
          }),
        ),
      ).rejects.toBeInstanceOf(ReadOnlyViolation);
      expect(iamAccount.calls).toEqual([]);
    } finally {
      iamAccount.uninstall();
    }
  });
});
