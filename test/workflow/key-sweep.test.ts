/**
 * The real ASL (statemachine/key-sweep.asl.json) run end to end with the real handlers against
 * the simulated account.
 */
import { LOCAL_BUCKET, runWorkflow } from '../../local/run-workflow';
import {
  account,
  config,
  daysAgo,
  FULL_KEY_ID,
  key,
  keyId,
  keysOf,
  NOW,
  user,
  writeCalls,
} from './sweep-fixtures';

jest.setTimeout(120_000);

/** alice, bob and carol, each with one key past the 90-day limit. */
const threeStaleUsers = () =>
  account([user('alice', [key(1, 120)]), user('bob', [key(2, 130)]), user('carol', [key(3, 140)])]);

describe('the key sweep workflow', () => {
  it('handles an empty account: succeeds, emails a report with nothing to do', async () => {
    const run = await runWorkflow({ account: account([]), config: config() });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.emails).toHaveLength(1);
    expect(run.emails[0]?.to).toEqual(['security-admins@example.com']);
    expect(run.report?.entries).toEqual([]);
    expect(run.report?.outcome).toBe('ok');
    expect(writeCalls(run.account.calls)).toEqual([]);
  });

  it('deactivates the one stale key of one user and emails it masked', async () => {
    const run = await runWorkflow({ account: account([user('alice', [key(1, 120)])]), config: config() });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.toAccountFile().users[0]?.accessKeys?.[0]?.status).toBe('Inactive');
    const email = run.emails[0];
    expect(email?.text).toContain('AKIA************');
    expect(email?.text).toContain(keyId(1).slice(-4));
    for (const part of [email?.subject, email?.html, email?.text]) expect(part).not.toMatch(FULL_KEY_ID);
    const entry = run.report?.entries[0];
    expect(entry).toMatchObject({
      userName: 'alice',
      accessKeyId: keyId(1),
      maskedAccessKeyId: `AKIA************${keyId(1).slice(-4)}`,
      status: 'Active',
      ageDays: 120,
      action: 'deactivate',
      result: 'done',
    });
    expect(entry?.reason).toContain('120 days ago; limit 90');
  });

  it('handles 2,500 users over many ListUsers pages: every stale key and nothing else changes', async () => {
    const users = Array.from({ length: 2500 }, (_, i) => {
      const keys = [key(2 * i, (i * 7) % 200)];
      if (i % 3 === 0)
        keys.push(key(2 * i + 1, (i * 13) % 150, { status: i % 2 === 0 ? 'Inactive' : 'Active' }));
      return user(`user-${String(i).padStart(5, '0')}`, keys);
    });
    const before = account(users);
    const run = await runWorkflow({
      account: before,
      config: config({ maxActionsPerRun: 5000 }),
      listUsersPageSize: 100,
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.callCounts()['IAM.ListUsers']).toBeGreaterThanOrEqual(25);

    const after = keysOf(run.account.toAccountFile());
    let stale = 0;
    for (const [id, was] of keysOf(before)) {
      const now = after.get(id);
      const age = Math.floor((NOW.getTime() - Date.parse(was.createDate)) / 86_400_000);
      const expected = was.status === 'Active' && age >= 90 ? 'Inactive' : was.status;
      if (expected !== was.status) stale++;
      expect({ id, status: now?.status }).toEqual({ id, status: expected });
    }
    expect(stale).toBeGreaterThan(500);
    expect(run.report?.entries).toHaveLength(keysOf(before).size);
    expect(run.report?.counts.byResult.done).toBe(stale);
  });

  it('in report mode changes nothing and says what it would do', async () => {
    const run = await runWorkflow({
      account: account([user('alice', [key(1, 120), key(2, 10)]), user('bob', [key(3, 95)])]),
      config: config({ mode: 'report' }),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(writeCalls(run.account.calls)).toEqual([]);
    expect(run.report?.entries.filter((e) => e.action === 'deactivate').map((e) => e.result)).toEqual([
      'dry-run',
      'dry-run',
    ]);
    expect(run.emails[0]?.text).toContain('REPORT MODE: nothing was changed');
    expect(run.emails[0]?.subject).toContain('would deactivate 2');
  });

  it('runs in report mode when the execution input asks for it, whatever the configuration says', async () => {
    const run = await runWorkflow({
      account: account([user('alice', [key(1, 120)])]),
      config: config({ mode: 'enforce' }),
      input: { mode: 'report' },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(writeCalls(run.account.calls)).toEqual([]);
    expect(run.report?.mode).toBe('report');
    expect(run.report?.modeSource).toBe('input');
  });

  it.each([
    ['"junk"', 'junk'],
    ['an unknown field', { deleteEverything: true }],
    ['a list', [1, 2]],
    ['the plan of an organization act execution alone', { planKey: 'runs/2026-11-28/x/plan.json' }],
  ])('fails at the first state, having touched nothing, when started with %s', async (_, input) => {
    const run = await runWorkflow({
      account: account([user('alice', [key(1, 120)])]),
      config: config(),
      input,
    });
    expect(run.status).toBe('FAILED');
    expect(run.error?.Error).toBe('InvalidExecutionInput');
    const cause = JSON.parse(run.error?.Cause ?? '{}') as { errorType?: string; errorMessage?: string };
    expect(cause.errorMessage).toContain('{"mode": "report"}');
    expect(run.account.calls).toEqual([]);
  });

  it('refuses input that would make a report-mode deployment enforce', async () => {
    const run = await runWorkflow({
      account: account([user('alice', [key(1, 120)])]),
      config: config({ mode: 'report' }),
      input: { mode: 'enforce' },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error?.Cause).toContain('never less safe');
    expect(writeCalls(run.account.calls)).toEqual([]);
  });

  it('skips a key that someone deactivated between find and act', async () => {
    const run = await runWorkflow({
      account: account([user('alice', [key(1, 120)]), user('bob', [key(2, 130)])]),
      config: config(),
      faults: {
        beforeCall: (call, sim) => {
          if (call.operation === 'GetObject' && String(call.input.Key).endsWith('-actions.json')) {
            sim.setKeyStatus('alice', keyId(1), 'Inactive');
          }
        },
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    const updates = run.account.calls.filter((c) => c.operation === 'UpdateAccessKey');
    expect(updates.map((c) => c.input.AccessKeyId)).toEqual([keyId(2)]);
    const alice = run.report?.entries.find((e) => e.userName === 'alice');
    expect(alice).toMatchObject({ result: 'skipped', detail: 'already inactive' });
    expect(run.emails[0]?.text).toContain('skipped on re-check');
  });

  it('survives users deleted mid-run, before their keys were read and between find and act', async () => {
    const run = await runWorkflow({
      account: threeStaleUsers(),
      config: config(),
      faults: {
        beforeCall: (call, sim) => {
          if (call.operation === 'ListAccessKeys' && call.input.UserName === 'alice' && sim.hasUser('bob')) {
            sim.deleteUser('bob');
          }
          if (
            call.operation === 'GetObject' &&
            String(call.input.Key).endsWith('-actions.json') &&
            sim.hasUser('carol')
          ) {
            sim.deleteUser('carol');
          }
        },
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.report?.usersGone).toEqual(['bob']);
    expect(run.report?.entries.find((e) => e.userName === 'carol')).toMatchObject({
      result: 'skipped',
      detail: 'user or key no longer exists',
    });
    expect(run.report?.entries.find((e) => e.userName === 'alice')?.result).toBe('done');
    expect(run.emails[0]?.text).toContain('Users deleted during the run (1)');
  });

  it('skips at act time a user who became exempt between find and act, by tag or by group', async () => {
    const run = await runWorkflow({
      account: threeStaleUsers(),
      config: config({ exemptGroups: ['break-glass'] }),
      faults: {
        // after the plan, before the first key is acted on
        beforeCall: (call, sim) => {
          if (call.operation === 'GetObject' && String(call.input.Key).endsWith('-actions.json')) {
            sim.tagUser('alice', { 'keysweep:exempt': '2026-12-31' });
            sim.addUserToGroup('bob', 'break-glass');
          }
        },
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    const entry = (userName: string) => run.report?.entries.find((e) => e.userName === userName);
    // planned while not exempt...
    expect(entry('alice')).toMatchObject({ action: 'deactivate', result: 'skipped' });
    expect(entry('alice')?.detail).toBe(
      'exempt since it was planned through 2026-12-31 (tag keysweep:exempt = 2026-12-31); not deactivated',
    );
    expect(entry('bob')?.detail).toBe(
      'exempt since it was planned (member of group break-glass); not deactivated',
    );
    expect(entry('carol')).toMatchObject({ result: 'done', detail: 'deactivated' });
    // ...and left as they were
    const after = keysOf(run.account.toAccountFile());
    expect([...after.values()].map((k) => [k.userName, k.status])).toEqual([
      ['alice', 'Active'],
      ['bob', 'Active'],
      ['carol', 'Inactive'],
    ]);
    expect(run.emails[0]?.text).toContain('skipped on re-check');
    expect(run.account.denials).toEqual([]);
  });

  it('handles every key when 30% of IAM calls are throttled', async () => {
    const users = Array.from({ length: 120 }, (_, i) =>
      user(`u${i}`, [key(2 * i, 100 + i), key(2 * i + 1, 5)]),
    );
    const run = await runWorkflow({
      account: account(users),
      config: config({ maxActionsPerRun: 500 }),
      faults: { throttleRate: 0.3, seed: 7 },
    });
    expect(run.status).toBe('SUCCEEDED');
    const throttled = run.account.calls.filter((c) => c.outcome === 'error' && c.error === 'Throttling');
    expect(throttled.length).toBeGreaterThan(100);
    const after = keysOf(run.account.toAccountFile());
    for (let i = 0; i < 120; i++) {
      expect(after.get(keyId(2 * i))?.status).toBe('Inactive');
      expect(after.get(keyId(2 * i + 1))?.status).toBe('Active');
    }
    expect(run.report?.counts.byResult).toMatchObject({ done: 120, failed: 0 });
  });

  it('fails visibly when SES is down, with the report still stored', async () => {
    const run = await runWorkflow({
      account: account([user('alice', [key(1, 120)])]),
      config: config(),
      faults: { sesDown: true },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error?.Error).toBe('EmailNotSent');
    expect(run.emails).toEqual([]);
    expect(run.report?.entries[0]?.result).toBe('done');
    expect(run.account.getObjectText(LOCAL_BUCKET, `${run.files?.prefix}email.html`)).toContain(
      '1 deactivated',
    );
    expect(run.account.toAccountFile().users[0]?.accessKeys?.[0]?.status).toBe('Inactive');
  });

  it('reports a key that could not be deactivated, handles the others, and fails after the email', async () => {
    const run = await runWorkflow({
      account: threeStaleUsers(),
      config: config(),
      faults: {
        beforeCall: (call) => {
          if (call.operation === 'UpdateAccessKey' && call.input.UserName === 'bob') {
            throw Object.assign(
              new Error(`User is not authorized to perform iam:UpdateAccessKey on ${keyId(2)}`),
              {
                name: 'AccessDenied',
              },
            );
          }
        },
      },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error?.Error).toBe('KeysFailed');
    expect(run.error?.Cause).toContain('1 of 3 key actions failed');
    const after = keysOf(run.account.toAccountFile());
    expect([after.get(keyId(1))?.status, after.get(keyId(2))?.status, after.get(keyId(3))?.status]).toEqual([
      'Inactive',
      'Active',
      'Inactive',
    ]);
    const bob = run.report?.entries.find((e) => e.userName === 'bob');
    expect(bob?.result).toBe('failed');
    expect(bob?.error).toContain('AccessDenied');
    expect(run.emails).toHaveLength(1);
    expect(run.emails[0]?.text).toContain('Failed (1)');
    expect(run.emails[0]?.text).not.toMatch(FULL_KEY_ID);
  });

  it('stores the report, the email and the batches under runs/<date>/<execution name>/', async () => {
    const run = await runWorkflow({
      account: account([user('alice', [key(1, 120)])]),
      config: config(),
      executionName: 'daily-run-1',
    });
    const keys = run.account.listObjectKeys(LOCAL_BUCKET, 'runs/');
    expect(keys).toEqual(
      expect.arrayContaining([
        'runs/2026-11-28/daily-run-1/report.json',
        'runs/2026-11-28/daily-run-1/email.html',
        'runs/2026-11-28/daily-run-1/email.txt',
      ]),
    );
    expect(keys.every((k) => k.startsWith('runs/2026-11-28/daily-run-1/'))).toBe(true);
    expect(run.emails[0]?.html).toContain(
      'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/arn:aws:states:us-east-1:123456789012:execution:',
    );
    expect(daysAgo(0)).toBe(NOW.toISOString());
  });
});

describe('a key whose function fails outright', () => {
  it('is caught by the ASL, recorded as failed with the error name, and the others go on', async () => {
    const run = await runWorkflow({
      account: account([user('alice', [key(1, 120)]), user('bob', [key(2, 130)])]),
      config: config(),
      faults: {
        beforeCall: (call) => {
          if (call.operation === 'UpdateAccessKey' && call.input.UserName === 'bob') {
            throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
          }
        },
      },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error?.Error).toBe('KeysFailed');
    expect(run.report?.entries.find((e) => e.userName === 'bob')).toMatchObject({
      result: 'failed',
      error: expect.stringContaining('Throttling (the function failed'),
    });
    expect(run.report?.entries.find((e) => e.userName === 'alice')?.result).toBe('done');
  });
});
