import {
  buildReport,
  consoleLinkOf,
  describeError,
  resultKey,
  type ReportInputs,
} from '../../../functions/send-report/build-report';
import type { KeyResult } from '../../../functions/shared/batch-files';
import { EXECUTION_ID, NOW, daysAgo, keyId, testConfig, testRun } from '../fixtures';
import { decisionsFile, planOf, record, result } from './report-fixtures';

const FINISHED = new Date(NOW.getTime() + 90_000);

function inputs(more: Partial<ReportInputs> = {}): ReportInputs {
  const decisions = more.decisions ?? [];
  return {
    run: testRun({ batchCount: decisions.length }),
    plan: planOf(decisions),
    decisions,
    results: new Map(),
    sweepError: null,
    config: testConfig({ unusedAfterDays: 45, deleteAfterDays: 180, exemptGroups: ['break-glass'] }),
    finishedAt: FINISHED,
    ...more,
  };
}

function resultsOf(...list: KeyResult[]): Map<string, KeyResult> {
  return new Map(list.map((r) => [resultKey(r.userName, r.accessKeyId), r]));
}

describe('buildReport entries', () => {
  it('gives each key every field, with the full and the masked key ID', () => {
    const key = record('alice', 1, 'deactivate', { lastUsedDate: '2026-11-20T09:00:00.000Z' });
    const decisions = [decisionsFile(0, [key])];
    const report = buildReport(
      inputs({ decisions, results: resultsOf(result(key, { result: 'done', detail: 'deactivated' })) }),
    );
    expect(report.entries).toEqual([
      {
        userName: 'alice',
        accessKeyId: keyId(1),
        maskedAccessKeyId: `AKIA************${keyId(1).slice(-4)}`,
        status: 'Active',
        createDate: daysAgo(120),
        ageDays: 120,
        lastUsedDate: '2026-11-20T09:00:00.000Z',
        lastUsedSource: 'iam',
        action: 'deactivate',
        rule: 'age',
        reason: 'created 2026-07-31, 120 days ago; limit 90',
        result: 'done',
        detail: 'deactivated',
        error: null,
        deactivationDate: null,
        deletionDate: null,
        inactiveSince: null,
        exemption: null,
        ownerEmail: 'alice@example.com',
      },
    ]);
  });

  it('carries the deletion date of a deletion warning, null where the decision has none', () => {
    const warned = record('alice', 1, 'warn', {
      rule: 'delete',
      status: 'Inactive',
      deactivationDate: null,
      deletionDate: '2026-12-10',
    });
    const report = buildReport(inputs({ decisions: [decisionsFile(0, [warned, record('bob', 2, 'none')])] }));
    expect(report.entries.map((e) => e.deletionDate)).toEqual(['2026-12-10', null]);
    expect(report.deletionPaused).toBeNull();
  });

  it('carries since when an inactive key is counted inactive, and why deletion is paused, from the run', () => {
    const inactive = record('alice', 1, 'none', {
      status: 'Inactive',
      inactiveSince: '2026-11-01T08:00:00.000Z',
    });
    const report = buildReport(
      inputs({
        run: testRun({ deletionPaused: 'first run: keysweep has no key index yet' }),
        decisions: [decisionsFile(0, [inactive])],
      }),
    );
    expect(report.entries[0]?.inactiveSince).toBe('2026-11-01T08:00:00.000Z');
    expect(report.deletionPaused).toBe('first run: keysweep has no key index yet');
  });

  it('orders entries by user, then by creation date', () => {
    const decisions = [
      decisionsFile(0, [record('carol', 1, 'none'), record('alice', 2, 'none', { ageDays: 5 })]),
      decisionsFile(1, [record('alice', 3, 'none', { ageDays: 50 }), record('bob', 4, 'none')]),
    ];
    const report = buildReport(inputs({ decisions }));
    expect(report.entries.map((e) => [e.userName, e.accessKeyId])).toEqual([
      ['alice', keyId(3)],
      ['alice', keyId(2)],
      ['bob', keyId(4)],
      ['carol', keyId(1)],
    ]);
  });
});

describe('buildReport results', () => {
  const deactivate = record('alice', 1, 'deactivate');
  const remove = record('alice', 2, 'delete');
  const warn = record('bob', 3, 'warn');
  const exempt = record('carol', 4, 'exempt');
  const none = record('dave', 5, 'none');
  const decisions = [decisionsFile(0, [deactivate, remove, warn, exempt, none])];

  it.each([
    ['warn', warn],
    ['exempt', exempt],
    ['none', none],
  ])('gives a %s key the result n/a', (_name, key) => {
    const report = buildReport(inputs({ decisions }));
    expect(report.entries.find((e) => e.accessKeyId === key.accessKeyId)).toMatchObject({
      result: 'n/a',
      detail: null,
      error: null,
    });
  });

  it.each<[string, KeyResult | undefined, { result: string; detail: string | null; error: string | null }]>([
    [
      'done',
      result(deactivate, { result: 'done', detail: 'deactivated' }),
      { result: 'done', detail: 'deactivated', error: null },
    ],
    [
      'skipped on re-check',
      result(deactivate, { result: 'skipped', detail: 'already inactive' }),
      { result: 'skipped', detail: 'already inactive', error: null },
    ],
    [
      'dry-run',
      result(deactivate, { result: 'dry-run', detail: 'report mode: nothing changed' }),
      { result: 'dry-run', detail: 'report mode: nothing changed', error: null },
    ],
    [
      'done without a detail',
      result(deactivate, { result: 'done' }),
      { result: 'done', detail: null, error: null },
    ],
    [
      'failed with the message from deactivate-key',
      result(deactivate, {
        result: 'failed',
        error: 'AccessDenied: not authorized to perform iam:UpdateAccessKey',
      }),
      {
        result: 'failed',
        detail: null,
        error: 'AccessDenied: not authorized to perform iam:UpdateAccessKey',
      },
    ],
    [
      'failed with only the error name from the ASL',
      result(deactivate, { result: 'failed', error: 'States.Timeout' }),
      {
        result: 'failed',
        detail: null,
        error:
          'States.Timeout (the function failed; the DeactivateKey step of this execution shows the cause)',
      },
    ],
    [
      'failed without an error',
      result(deactivate, { result: 'failed' }),
      { result: 'failed', detail: null, error: 'unknown error' },
    ],
    [
      'no result recorded',
      undefined,
      {
        result: 'failed',
        detail: null,
        error: 'no result was recorded for this key (its batch did not finish); check the key by hand',
      },
    ],
  ])('takes a planned key that is %s from the act step', (_name, acted, expected) => {
    const report = buildReport(inputs({ decisions, results: acted ? resultsOf(acted) : new Map() }));
    expect(report.entries.find((e) => e.accessKeyId === deactivate.accessKeyId)).toMatchObject(expected);
  });

  it('makes every planned key a dry run in report mode, whatever the results say', () => {
    const report = buildReport(
      inputs({
        decisions,
        run: testRun({ mode: 'report', modeSource: 'input' }),
        results: resultsOf(result(deactivate, { result: 'done' })),
      }),
    );
    for (const key of [deactivate, remove]) {
      expect(report.entries.find((e) => e.accessKeyId === key.accessKeyId)).toMatchObject({
        result: 'dry-run',
        detail: 'report mode: nothing changed',
      });
    }
    expect(report.entries.find((e) => e.accessKeyId === warn.accessKeyId)?.result).toBe('n/a');
  });

  it('skips every planned key when the action limit was exceeded', () => {
    const report = buildReport(inputs({ decisions, plan: planOf(decisions, 1) }));
    for (const key of [deactivate, remove]) {
      expect(report.entries.find((e) => e.accessKeyId === key.accessKeyId)).toMatchObject({
        result: 'skipped',
        detail: 'not done: the action limit was exceeded',
      });
    }
  });

  it('skips every planned key when the sweep stopped before the plan', () => {
    const report = buildReport(inputs({ decisions, plan: null, sweepError: { Error: 'States.TaskFailed' } }));
    expect(report.entries.find((e) => e.accessKeyId === deactivate.accessKeyId)).toMatchObject({
      result: 'skipped',
      detail: 'not done: the sweep stopped before acting',
    });
  });

  it('counts per action and per result', () => {
    const report = buildReport(
      inputs({
        decisions: [
          ...decisions,
          decisionsFile(1, [record('erin', 6, 'deactivate'), record('erin', 7, 'warn')]),
        ],
        results: resultsOf(
          result(deactivate, { result: 'done' }),
          result(remove, { result: 'skipped', detail: 'active again since it was planned; not deleted' }),
        ),
      }),
    );
    expect(report.counts).toEqual({
      byAction: { deactivate: 2, delete: 1, warn: 2, exempt: 1, none: 1 },
      byResult: { done: 1, 'dry-run': 0, skipped: 1, failed: 1, 'n/a': 4 },
    });
    expect(report.plannedActions).toBe(3);
  });
});

describe('buildReport outcome', () => {
  const a = record('alice', 1, 'deactivate');
  const b = record('bob', 2, 'deactivate');
  const c = record('carol', 3, 'delete');
  const decisions = [decisionsFile(0, [a, b]), decisionsFile(1, [c])];
  const allDone = resultsOf(
    result(a, { result: 'done' }),
    result(b, { result: 'skipped', detail: 'already inactive' }),
    result(c, { result: 'done' }),
  );

  it('is ok when every planned key was handled', () => {
    const report = buildReport(inputs({ decisions, results: allDone }));
    expect(report).toMatchObject({ outcome: 'ok', cause: '', limitExceeded: false, sweepError: null });
  });

  it('is ok in report mode', () => {
    const report = buildReport(inputs({ decisions, run: testRun({ mode: 'report' }) }));
    expect(report.outcome).toBe('ok');
  });

  it('is keys-failed when a key failed, saying how many of how many', () => {
    const results = resultsOf(
      result(a, { result: 'done' }),
      result(b, { result: 'failed', error: 'AccessDenied: no' }),
    );
    const report = buildReport(inputs({ decisions, results }));
    expect(report.outcome).toBe('keys-failed');
    expect(report.cause).toBe(
      '2 of 3 key actions failed; the email and report.json list each with its reason.',
    );
  });

  it('is action-limit-exceeded with a cause that names the limit and the count', () => {
    const report = buildReport(inputs({ decisions, plan: planOf(decisions, 2) }));
    expect(report.outcome).toBe('action-limit-exceeded');
    expect(report.limitExceeded).toBe(true);
    expect(report.cause).toContain(
      '3 deactivations and deletions were planned, more than maxActionsPerRun (2)',
    );
    expect(report.cause).toContain('nothing was changed');
    expect(report.cause).toContain('raise maxActionsPerRun');
  });

  it('is sweep-failed with the error of the sweep, before anything else', () => {
    const report = buildReport(
      inputs({
        decisions,
        plan: planOf(decisions, 2),
        sweepError: {
          Error: 'Lambda.Unknown',
          Cause: JSON.stringify({
            errorType: 'Error',
            errorMessage: 'IAM pagination of users did not advance',
          }),
        },
      }),
    );
    expect(report.outcome).toBe('sweep-failed');
    expect(report.sweepError).toBe('Lambda.Unknown: IAM pagination of users did not advance');
    expect(report.cause).toBe(
      'The sweep stopped early: Lambda.Unknown: IAM pagination of users did not advance. Keys not reached were not examined; the email lists what was done.',
    );
  });
});

describe('buildReport run facts', () => {
  it('merges the batches and describes the run, the policy and the console link', () => {
    const decisions = [
      decisionsFile(0, [record('alice', 1, 'none')], {
        usersRead: 3,
        usersGone: ['zed'],
        invalidExemptions: [{ userName: 'alice', value: 'soon' }],
      }),
      decisionsFile(1, [record('bob', 2, 'none')], {
        usersRead: 2,
        usersGone: ['adam'],
        invalidExemptions: [{ userName: 'bob', value: '2026-02-30' }],
      }),
    ];
    const report = buildReport(inputs({ decisions }));
    expect(report).toMatchObject({
      keysweepVersion: '1.2.3+abc1234',
      executionId: EXECUTION_ID,
      executionName: 'run-2026-11-28',
      consoleUrl: `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ID}`,
      accountId: '123456789012',
      startedAt: '2026-11-28T08:00:00.000Z',
      finishedAt: '2026-11-28T08:01:30.000Z',
      mode: 'enforce',
      modeSource: 'config',
      usersRead: 5,
      usersGone: ['adam', 'zed'],
      invalidExemptions: [
        { userName: 'alice', value: 'soon' },
        { userName: 'bob', value: '2026-02-30' },
      ],
      ownerNotifications: {
        enabled: false,
        withheld: null,
        sent: [],
        failed: [],
        noAddress: [],
        notSent: [],
      },
    });
    expect(report.policy).toEqual({
      deactivateAfterDays: 90,
      warnBeforeDays: 14,
      unusedAfterDays: 45,
      deleteAfterDays: 180,
      exemptTag: 'keysweep:exempt',
      exemptGroups: ['break-glass'],
      maxActionsPerRun: 100,
      notifyOwners: false,
      ownerEmailTag: 'email',
    });
  });
});

describe('describeError', () => {
  it.each<[string, { Error?: string; Cause?: string }, string]>([
    [
      'a Lambda cause (JSON with errorMessage)',
      {
        Error: 'InvalidExecutionInput',
        Cause: '{"errorType":"InvalidExecutionInput","errorMessage":"bad input","trace":[]}',
      },
      'InvalidExecutionInput: bad input',
    ],
    [
      'a plain-text cause',
      { Error: 'States.Timeout', Cause: 'The task timed out.' },
      'States.Timeout: The task timed out.',
    ],
    ['JSON without errorMessage', { Error: 'X', Cause: '{"reason":"y"}' }, 'X: {"reason":"y"}'],
    ['a JSON null cause', { Error: 'X', Cause: 'null' }, 'X: null'],
    ['a non-string errorMessage', { Error: 'X', Cause: '{"errorMessage":42}' }, 'X: {"errorMessage":42}'],
    ['only an error name', { Error: 'States.TaskFailed' }, 'States.TaskFailed'],
    ['only a cause', { Cause: 'something broke' }, 'something broke'],
    ['an empty cause', { Error: 'E', Cause: '' }, 'E'],
    ['nothing', {}, 'unknown error'],
  ])('reads %s', (_name, error, expected) => {
    expect(describeError(error)).toBe(expected);
  });
});

describe('consoleLinkOf', () => {
  it.each<[string, string, string | null, string | null]>([
    [
      'a commercial-region execution',
      'arn:aws:states:us-east-1:111122223333:execution:keysweep:daily',
      'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/arn:aws:states:us-east-1:111122223333:execution:keysweep:daily',
      '111122223333',
    ],
    [
      'a China-region execution',
      'arn:aws-cn:states:cn-north-1:111122223333:execution:keysweep:daily',
      'https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/arn:aws-cn:states:cn-north-1:111122223333:execution:keysweep:daily',
      '111122223333',
    ],
    ['a local execution ID', 'local:execution:keysweep:demo', null, null],
    ['an ARN of another service', 'arn:aws:lambda:us-east-1:111122223333:function:keysweep:1', null, null],
    ['a short ARN', 'arn:aws:states:us-east-1:111122223333', null, null],
    ['an empty ID', '', null, null],
  ])('links %s', (_name, executionId, url, accountId) => {
    expect(consoleLinkOf(executionId)).toEqual({ url, accountId });
  });

  // Regression: every partition other than aws-cn got the commercial console domain; GovCloud
  // executions live on console.amazonaws-us-gov.com, so the email's link does not open.
  it('links a GovCloud execution to the GovCloud console', () => {
    const { url } = consoleLinkOf(
      'arn:aws-us-gov:states:us-gov-west-1:111122223333:execution:keysweep:daily',
    );
    expect(new URL(url ?? 'http://none').hostname).toMatch(/\.amazonaws-us-gov\.com$/);
  });
});
