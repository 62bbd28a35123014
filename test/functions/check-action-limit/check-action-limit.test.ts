import { checkActionLimit } from '../../../functions/check-action-limit/check-action-limit';
import { handler } from '../../../functions/check-action-limit/handler';
import type { FindSummary } from '../../../functions/shared/batch-files';
import { PREFIX, fakeContext, testRun } from '../fixtures';

function found(index: number, plannedActions: number, more: Partial<FindSummary> = {}): FindSummary {
  return {
    index,
    usersRead: 50,
    usersGone: 0,
    keysSeen: 80,
    counts: { deactivate: plannedActions, delete: 0, warn: 2, exempt: 1, none: 77 - plannedActions },
    plannedActions,
    ...more,
  };
}

const run = testRun({ batchCount: 4 });

describe('checkActionLimit', () => {
  it('adds up the batches and lists only those with actions, in index order, with their S3 keys', () => {
    const result = checkActionLimit(
      {
        run,
        found: [
          found(2, 3, { counts: { deactivate: 1, delete: 2, warn: 0, exempt: 0, none: 77 } }),
          found(0, 0),
          found(3, 1, { usersGone: 2, usersRead: 48 }),
          found(1, 4),
        ],
      },
      100,
    );
    expect(result.run).toEqual(run);
    expect(result.plan).toEqual({
      plannedActions: 8,
      maxActionsPerRun: 100,
      limitExceeded: false,
      overLimit: false,
      keysSeen: 320,
      usersRead: 198,
      usersGone: 2,
      counts: { deactivate: 6, delete: 2, warn: 6, exempt: 3, none: 77 + 77 + 76 + 73 },
      batches: [
        {
          index: 1,
          actionCount: 4,
          actionsKey: `${PREFIX}batches/0001-actions.json`,
          resultsKey: `${PREFIX}batches/0001-results.json`,
        },
        {
          index: 2,
          actionCount: 3,
          actionsKey: `${PREFIX}batches/0002-actions.json`,
          resultsKey: `${PREFIX}batches/0002-results.json`,
        },
        {
          index: 3,
          actionCount: 1,
          actionsKey: `${PREFIX}batches/0003-actions.json`,
          resultsKey: `${PREFIX}batches/0003-results.json`,
        },
      ],
    });
  });

  it.each([
    [0, 0, false],
    [1, 0, true],
    [9, 10, false],
    [10, 10, false],
    [11, 10, true],
    [100, 100, false],
    [101, 100, true],
  ])('%i planned with a limit of %i → limitExceeded %s (equal is allowed)', (planned, max, exceeded) => {
    const batches = [found(0, Math.floor(planned / 2)), found(1, planned - Math.floor(planned / 2))];
    const { plan } = checkActionLimit({ run, found: batches }, max);
    expect(plan.plannedActions).toBe(planned);
    expect(plan.maxActionsPerRun).toBe(max);
    expect(plan.limitExceeded).toBe(exceeded);
  });

  it('still lists the batches when the limit is exceeded (the ASL decides not to act)', () => {
    const { plan } = checkActionLimit({ run, found: [found(0, 7)] }, 5);
    expect(plan.limitExceeded).toBe(true);
    expect(plan.batches.map((b) => b.index)).toEqual([0]);
  });

  it('gives an empty plan for no batches', () => {
    const { plan } = checkActionLimit({ run: testRun({ batchCount: 0 }), found: [] }, 100);
    expect(plan).toEqual({
      plannedActions: 0,
      maxActionsPerRun: 100,
      limitExceeded: false,
      overLimit: false,
      keysSeen: 0,
      usersRead: 0,
      usersGone: 0,
      counts: { deactivate: 0, delete: 0, warn: 0, exempt: 0, none: 0 },
      batches: [],
    });
  });

  it.each<[string, unknown, string]>([
    ['no found list', { run }, 'found'],
    ['a summary without counts', { run, found: [{ ...found(0, 1), counts: undefined }] }, 'found.0.counts'],
    ['no run', { found: [] }, 'run'],
  ])('rejects an event with %s', (_name, event, problem) => {
    expect(() => checkActionLimit(event, 100)).toThrow(
      expect.objectContaining({
        name: 'InvalidEvent',
        message: expect.stringContaining(`check-action-limit received an event it cannot use: ${problem}`),
      }),
    );
  });
});

describe('check-action-limit handler', () => {
  it('passes the event through the middy wrapper, with maxActionsPerRun from the configuration', async () => {
    const result = await handler({ run, found: [found(0, 60), found(1, 41)] }, fakeContext('keysweep-check'));
    expect(result.plan).toMatchObject({ plannedActions: 101, maxActionsPerRun: 100, limitExceeded: true });
    expect(result.run.executionName).toBe(run.executionName);
  });
});

describe('checkActionLimit in report mode', () => {
  it('never trips the breaker (nothing changes anyway) but says the plan is over the limit', () => {
    const reportRun = testRun({ batchCount: 1, mode: 'report' });
    const { plan } = checkActionLimit({ run: reportRun, found: [found(0, 101)] }, 100);
    expect(plan).toMatchObject({ limitExceeded: false, overLimit: true, plannedActions: 101 });
  });
});
