/**
 * Deletion over days, through the real ASL: a key is deleted once keysweep has seen it inactive for
 * deleteAfterDays (from its own deactivation of the key, or the first run that saw it inactive),
 * never for its age; it is warned about warnBeforeDays before; without a readable key index nothing
 * is deleted; a key re-activated since it was seen inactive starts over. Each day's run starts from
 * the day before's account (account-after) and report bucket (bucketObjectsOf), as --state does.
 */
import { layout } from '../../functions/shared/report-layout';
import { bucketObjectsOf, runWorkflow, type WorkflowRun } from '../../local/run-workflow';
import type { AccountFile, AccountKey, Faults } from '../../local/simulated-account';
import { account, config, key, keyId, keysOf, user, writeCalls } from './sweep-fixtures';

jest.setTimeout(300_000);

const DAY_MS = 86_400_000;
/**
 * Day 1 of every scenario: Thursday 2026-11-26, 08:00 UTC. fullScanOn SUN: days 4, 11, 18 and 25 read
 * every user, the others take the credential report's fast path (day 31 among them).
 */
const DAY_1 = new Date('2026-11-26T08:00:00Z');
const dayOf = (n: number) => new Date(DAY_1.getTime() + (n - 1) * DAY_MS);
const isoDayOf = (n: number) => dayOf(n).toISOString().slice(0, 10);
const at = (n: number, hours = 0) => new Date(dayOf(n).getTime() + hours * 3_600_000).toISOString();

/** deleteAfterDays 30, warned 7 days before, owners emailed, the weekly full scan on Sundays. */
const SETTINGS = config({ deleteAfterDays: 30, warnBeforeDays: 7, fullScanOn: 'SUN', notifyOwners: true });

/** A 400-day-old Active key (last used before day 1), and a 1000-day-old key inactive before keysweep ever ran. */
function firstDayAccount(): AccountFile {
  const ago = (days: number) => new Date(DAY_1.getTime() - days * DAY_MS).toISOString();
  return account(
    [
      user('stale', [key(1, 0, { createDate: ago(400), lastUsedDate: ago(2) })]),
      user('dormant', [key(2, 0, { createDate: ago(1000), lastUsedDate: ago(900), status: 'Inactive' })]),
      user('bystander', [key(3, 0, { createDate: ago(10), lastUsedDate: ago(1) })]),
    ],
    { now: DAY_1.toISOString() },
  );
}

interface Day {
  n: number;
  run: WorkflowRun;
}

/** Runs day `n` on what `previous` left (or the first day's account on an empty bucket). */
async function runDay(
  n: number,
  previous: WorkflowRun | null,
  options: {
    change?: (file: AccountFile) => AccountFile;
    faults?: Faults;
    hours?: number;
    executionName?: string;
  } = {},
): Promise<Day> {
  const now = new Date(at(n, options.hours ?? 0));
  const base = previous === null ? firstDayAccount() : previous.account.toAccountFile();
  const file = (options.change ?? ((f) => f))({
    ...base,
    now: now.toISOString(),
    credentialReportAgeHours: 1,
  });
  const run = await runWorkflow({
    account: file,
    config: SETTINGS,
    now,
    ...(options.executionName ? { executionName: options.executionName } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(previous === null ? {} : { bucketObjects: bucketObjectsOf(previous) }),
  });
  expect({ day: n, status: run.status, error: run.error }).toEqual({
    day: n,
    status: 'SUCCEEDED',
    error: null,
  });
  return { n, run };
}

const entryOf = (day: Day, n: number) => day.run.report?.entries.find((e) => e.accessKeyId === keyId(n));
const statusOf = (day: Day, n: number) =>
  keysOf(day.run.account.toAccountFile()).get(keyId(n))?.status ?? 'gone';
const deletesOf = (calls: WorkflowRun['account']['calls']) =>
  calls.filter((c) => c.operation === 'DeleteAccessKey').map((c) => c.input.AccessKeyId);
const deletes = (day: Day) => deletesOf(day.run.account.calls);

/** Sets a key of the account file as someone changed it between two runs. */
function withKey(n: number, change: Partial<AccountKey>) {
  return (file: AccountFile): AccountFile => ({
    ...file,
    users: file.users.map((u) => ({
      ...u,
      ...(u.accessKeys
        ? { accessKeys: u.accessKeys.map((k) => (k.accessKeyId === keyId(n) ? { ...k, ...change } : k)) }
        : {}),
    })),
  });
}

describe('day after day, with deleteAfterDays 30 and warnBeforeDays 7', () => {
  const days: Day[] = [];
  let rerun: Day;

  beforeAll(async () => {
    let previous: WorkflowRun | null = null;
    for (let n = 1; n <= 31; n++) {
      const day = await runDay(n, previous);
      days.push(day);
      if (n === 1) {
        // the same day, 30 minutes later (a re-run by hand, a retried schedule)
        rerun = await runDay(1, day.run, { hours: 0.5, executionName: 'rerun' });
        previous = rerun.run;
      } else {
        previous = day.run;
      }
    }
  });
  const day = (n: number) => days[n - 1] as Day;

  it('deactivates the 400-day-old key on day 1 and deletes nothing: there is no key index yet', () => {
    expect(writeCalls(day(1).run.account.calls)).toEqual(['IAM.UpdateAccessKey']);
    expect(statusOf(day(1), 1)).toBe('Inactive');
    expect(day(1).run.report?.deletionPaused).toContain('first run: keysweep has no key index yet');
    const admin = day(1).run.emails.find((e) => e.to.includes('security-admins@example.com'));
    expect(admin?.text).toContain('!! DELETION PAUSED: first run: keysweep has no key index yet');
  });

  it('deletes nothing on a re-run of day 1 half an hour later, the key index in place', () => {
    expect(rerun.run.report?.deletionPaused).toBeNull();
    expect(writeCalls(rerun.run.account.calls)).toEqual([]);
    expect(entryOf(rerun, 1)?.reason).toContain(`deactivated by keysweep since ${isoDayOf(1)} (0 days)`);
    // the key first seen inactive is far from its deletion: the fast path leaves its user unread
    expect(entryOf(rerun, 2)).toBeUndefined();
  });

  it('keeps both keys, inactive, from day 2 to day 30, and deletes nothing', () => {
    for (let n = 2; n <= 30; n++) {
      expect({ n, deletes: deletes(day(n)), writes: writeCalls(day(n).run.account.calls) }).toEqual({
        n,
        deletes: [],
        writes: [],
      });
      expect({ n, keys: [statusOf(day(n), 1), statusOf(day(n), 2)] }).toEqual({
        n,
        keys: ['Inactive', 'Inactive'],
      });
    }
  });

  it('warns of the deletion, with its date, on the last 7 days before it, and not before', () => {
    const warned = (n: number) => {
      const entry = entryOf(day(n), 1);
      return entry?.action === 'warn'
        ? `${entry.rule} ${entry.deletionDate ?? ''}`
        : (entry?.action ?? 'unread');
    };
    const early = Array.from({ length: 22 }, (_, i) => i + 2).filter((n) => warned(n).startsWith('delete'));
    expect(early).toEqual([]);
    for (let n = 24; n <= 30; n++) {
      expect({ n, warned: warned(n) }).toEqual({ n, warned: `delete ${isoDayOf(31)}` });
      expect({ n, dormant: entryOf(day(n), 2)?.deletionDate }).toEqual({ n, dormant: isoDayOf(31) });
    }
  });

  it('says so in the admin email and to the owner, on the first day of the warning', () => {
    const { emails } = day(24).run;
    const admin = emails.find((e) => e.to.includes('security-admins@example.com'));
    expect(admin?.text).toContain('== Warned: deletion coming (2) ==');
    expect(admin?.text).toContain(`Deletion on: ${isoDayOf(31)}`);
    const owner = emails.find((e) => e.to.includes('stale@example.com'));
    expect(owner?.text).toMatch(new RegExp(`will be deleted on or after ${isoDayOf(31)}`, 'i'));
  });

  it('deletes on day 31 the key it deactivated on day 1, and the key it first saw inactive on day 1, whatever its age', () => {
    expect(deletes(day(31)).sort()).toEqual([keyId(1), keyId(2)]);
    expect([statusOf(day(31), 1), statusOf(day(31), 2), statusOf(day(31), 3)]).toEqual([
      'gone',
      'gone',
      'Active',
    ]);
    expect(entryOf(day(31), 1)).toMatchObject({ action: 'delete', result: 'done' });
    expect(entryOf(day(31), 1)?.reason).toContain(`deactivated by keysweep since ${isoDayOf(1)} (30 days)`);
    expect(entryOf(day(31), 2)?.reason).toContain(`seen inactive since ${isoDayOf(1)} (30 days)`);
  });

  it('reads the user of the key first seen inactive on the fast path once its deletion is near, not before', () => {
    // day 31 is a Saturday: the credential report's candidates, where the report writes N/A for the key
    // (day 24 too, the first day of the warning)
    const read = (n: number) =>
      day(n).run.account.calls.some(
        (c) => c.operation === 'ListAccessKeys' && c.input.UserName === 'dormant',
      );
    expect(day(31).run.report?.discovery.source).toBe('credential-report');
    expect(day(31).run.report?.discovery.reason).toMatch(/ 1 users may need action/);
    expect(read(31)).toBe(true);
    expect(day(23).run.report?.discovery.source).toBe('credential-report');
    expect(read(23)).toBe(false);
    expect(day(24).run.report?.discovery.source).toBe('credential-report');
    expect(read(24)).toBe(true);
    // the weekly full scan reads it anyway
    expect(day(4).run.report?.discovery.source).toBe('full-scan');
    expect(read(4)).toBe(true);
  });
});

describe('skipping days, with the credential report showing inactive keys’ last_rotated (the other reading)', () => {
  it('counts the same, and deletes on day 31', async () => {
    const faults: Faults = { credentialReportInactiveLastRotated: 'shown' };
    const d1 = await runDay(1, null, { faults });
    const d2 = await runDay(2, d1.run, { faults });
    const d24 = await runDay(24, d2.run, { faults });
    const d30 = await runDay(30, d24.run, { faults });
    const d31 = await runDay(31, d30.run, { faults });
    expect([d2, d24, d30].flatMap(deletes)).toEqual([]);
    expect(entryOf(d24, 2)).toMatchObject({ action: 'warn', rule: 'delete', deletionDate: isoDayOf(31) });
    expect(deletes(d31).sort()).toEqual([keyId(1), keyId(2)]);
  });
});

describe('a key re-activated and inactive again starts over', () => {
  it('when keysweep saw it active again: counted from its second deactivation', async () => {
    const d1 = await runDay(1, null);
    // day 9: its owner re-activates it and uses it; day 10's run sees it active and deactivates it again
    const d10 = await runDay(10, d1.run, {
      change: withKey(1, { status: 'Active', activatedDate: at(9), lastUsedDate: at(9, 1) }),
    });
    expect(entryOf(d10, 1)).toMatchObject({ action: 'deactivate', result: 'done' });
    const d31 = await runDay(31, d10.run);
    expect(deletes(d31)).toEqual([keyId(2)]); // only the key inactive all along
    expect(entryOf(d31, 1)?.reason).toContain(`deactivated by keysweep since ${isoDayOf(10)} (21 days)`);
    const d33 = await runDay(33, d31.run);
    expect(entryOf(d33, 1)).toMatchObject({ action: 'warn', rule: 'delete', deletionDate: isoDayOf(40) });
    const d40 = await runDay(40, d33.run);
    expect(deletes(d40)).toEqual([keyId(1)]);
  });

  it('when it was re-activated, used and deactivated again between two runs: counted from the run that saw the use', async () => {
    const d1 = await runDay(1, null);
    const d2 = await runDay(2, d1.run);
    // between day 5 and day 6 (no run saw it active): re-activated, used, deactivated again
    const d6 = await runDay(6, d2.run, {
      change: withKey(1, { status: 'Inactive', activatedDate: at(5, 2), lastUsedDate: at(5, 3) }),
    });
    expect(entryOf(d6, 1)?.reason).toContain(
      `counted again: used ${isoDayOf(5)}, after it was seen inactive on ${isoDayOf(1)}`,
    );
    const d31 = await runDay(31, d6.run);
    expect(deletes(d31)).toEqual([keyId(2)]);
    expect(entryOf(d31, 1)).toMatchObject({ action: 'warn', deletionDate: isoDayOf(36) });
    const d36 = await runDay(36, d31.run);
    expect(deletes(d36)).toEqual([keyId(1)]);
  });
});

describe('without a readable key index, deletion is paused', () => {
  const onlyDormant = () => ({
    ...firstDayAccount(),
    users: firstDayAccount().users.filter((u) => u.userName === 'dormant'),
  });
  const oneDayDeletion = config({ deleteAfterDays: 1, fullScanOn: 'SUN' });

  it.each([
    ['no key index (a first run)', {}, 'first run: keysweep has no key index yet'],
    [
      'a key index that is not JSON',
      { [layout.keyIndex()]: '{"updatedAt": "2026-11-2' },
      'the key index state/key-index.json is unreadable (not JSON)',
    ],
    [
      'a key index of the wrong shape',
      {
        [layout.keyIndex()]: JSON.stringify({
          updatedAt: 'yesterday',
          users: { dormant: 'inactive since 1990' },
        }),
      },
      'the key index state/key-index.json is unreadable',
    ],
  ])(
    'with %s: nothing is deleted, the email says why, and the count starts that day',
    async (_name, bucketObjects, why) => {
      const run = await runWorkflow({
        account: onlyDormant(),
        config: oneDayDeletion,
        now: DAY_1,
        bucketObjects,
      });
      expect(run.status).toBe('SUCCEEDED');
      expect(writeCalls(run.account.calls)).toEqual([]);
      expect(run.report?.deletionPaused).toContain(
        `${why}, so it cannot tell how long inactive keys have been inactive`,
      );
      expect(run.report?.counts.byAction.delete).toBe(0);
      const email = run.emails[0];
      expect(email?.text).toContain(`!! DELETION PAUSED: ${why}`);
      expect(email?.html).toContain(`DELETION PAUSED: ${why}`);
      // the next day deletes it (deleteAfterDays 1), counted from the paused run, not from the key's age
      const next = await runWorkflow({
        account: { ...run.account.toAccountFile(), now: at(2) },
        config: oneDayDeletion,
        now: dayOf(2),
        bucketObjects: bucketObjectsOf(run),
      });
      expect(next.report?.deletionPaused).toBeNull();
      expect(next.report?.entries[0]?.reason).toContain(`seen inactive since ${isoDayOf(1)} (1 day)`);
      expect(writeCalls(next.account.calls)).toEqual(['IAM.DeleteAccessKey']);
    },
  );
});

describe('report mode', () => {
  it('sees keys inactive as any run does: an enforcing run deleteAfterDays later deletes them', async () => {
    const first = await runWorkflow({
      account: firstDayAccount(),
      config: { ...SETTINGS, mode: 'report' },
      now: DAY_1,
    });
    expect(writeCalls(first.account.calls)).toEqual([]);
    const later = await runWorkflow({
      account: { ...first.account.toAccountFile(), now: at(31) },
      config: SETTINGS,
      now: dayOf(31),
      bucketObjects: bucketObjectsOf(first),
    });
    // the key inactive since before the report-mode run is deleted; the one it would have deactivated is deactivated
    expect(deletesOf(later.account.calls)).toEqual([keyId(2)]);
    expect(later.report?.entries.find((e) => e.accessKeyId === keyId(1))?.action).toBe('deactivate');
  });
});

describe('a user who became exempt between find and act', () => {
  it('keeps the key keysweep was about to delete', async () => {
    const d1 = await runDay(1, null);
    const d31 = await runDay(31, d1.run, {
      faults: {
        beforeCall: (call, sim) => {
          if (call.operation === 'GetObject' && String(call.input.Key).endsWith('-actions.json'))
            sim.tagUser('dormant', { 'keysweep:exempt': 'always' });
        },
      },
    });
    expect(deletes(d31)).toEqual([keyId(1)]);
    expect(entryOf(d31, 2)).toMatchObject({
      action: 'delete',
      result: 'skipped',
      detail: 'exempt since it was planned (tag keysweep:exempt = always); not deleted',
    });
    expect(statusOf(d31, 2)).toBe('Inactive');
  });
});
