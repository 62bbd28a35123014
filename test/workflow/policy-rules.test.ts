/**
 * The full key policy through the real ASL: exemptions, deletion, the unused rule, the circuit
 * breaker and owner notifications, and a randomized check that the account after a run is exactly
 * what the rules say.
 */
import { mulberry32 } from '../../local/simulated-account/prng';
import { LOCAL_BUCKET, runWorkflow } from '../../local/run-workflow';
import type { AccountFile } from '../../local/simulated-account';
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
  keyIndexObjects,
} from './sweep-fixtures';

jest.setTimeout(120_000);

describe('the circuit breaker', () => {
  const stale = account(
    Array.from({ length: 6 }, (_, i) => user(`u${i}`, [key(i, 100 + i)])).concat([
      user('old-inactive', [key(50, 400, { status: 'Inactive', lastUsedDate: daysAgo(390) })]),
    ]),
  );
  // keysweep has seen the inactive key inactive for 380 days: past any delete limit below
  const bucketObjects = keyIndexObjects(stale, () => daysAgo(380));

  it('changes nothing, emails what it would have done, and fails naming the limit', async () => {
    const run = await runWorkflow({
      account: stale,
      config: config({ maxActionsPerRun: 6, deleteAfterDays: 365, notifyOwners: true }),
      bucketObjects,
    });
    expect(run.status).toBe('FAILED');
    expect(run.error?.Error).toBe('ActionLimitExceeded');
    expect(run.error?.Cause).toContain(
      '7 deactivations and deletions were planned, more than maxActionsPerRun (6)',
    );
    expect(run.error?.Cause).toContain('raise maxActionsPerRun');
    expect(writeCalls(run.account.calls)).toEqual([]);
    expect(run.account.toAccountFile()).toEqual(stale);
    // one email: the admins'; owners hear nothing about changes that did not happen
    expect(run.emails).toHaveLength(1);
    const email = run.emails[0];
    expect(email?.subject).toContain('ACTION LIMIT EXCEEDED');
    expect(email?.text).toContain('Would deactivate (6)');
    expect(email?.text).toContain('Would delete (1)');
    expect(
      run.report?.entries.filter((e) => e.action === 'deactivate').every((e) => e.result === 'skipped'),
    ).toBe(true);
  });

  it('does not trip in report mode, which changes nothing, but says enforcing would', async () => {
    const run = await runWorkflow({
      account: stale,
      config: config({ maxActionsPerRun: 6, deleteAfterDays: 365, mode: 'report' }),
      bucketObjects,
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(writeCalls(run.account.calls)).toEqual([]);
    expect(run.emails[0]?.subject).toContain('[report mode]');
    expect(run.emails[0]?.text).toContain('the circuit breaker would stop it and change nothing');
  });

  it('lets a run through at exactly the limit', async () => {
    const run = await runWorkflow({
      account: stale,
      config: config({ maxActionsPerRun: 7, deleteAfterDays: 365 }),
      bucketObjects,
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(writeCalls(run.account.calls).sort()).toEqual([
      'IAM.DeleteAccessKey',
      ...Array<string>(6).fill('IAM.UpdateAccessKey'),
    ]);
  });
});

describe('deletion', () => {
  it('deletes only Inactive keys keysweep has seen inactive for deleteAfterDays, whatever their age', async () => {
    const inactive = { status: 'Inactive' as const, lastUsedDate: undefined };
    const before = account([
      user('a', [key(1, 30, inactive), key(2, 900, inactive)]),
      user('b', [key(3, 300)]),
      user('c', [key(4, 5000, inactive)]),
    ]);
    const seen: Record<string, string | null> = {
      [keyId(1)]: daysAgo(20),
      [keyId(2)]: daysAgo(19),
      [keyId(4)]: null,
    };
    const run = await runWorkflow({
      account: before,
      config: config({ deleteAfterDays: 20, warnBeforeDays: 5 }),
      bucketObjects: keyIndexObjects(before, (k) => seen[k.accessKeyId] ?? null),
    });
    expect(run.status).toBe('SUCCEEDED');
    const after = keysOf(run.account.toAccountFile());
    expect(after.has(keyId(1))).toBe(false); // 30 days old, seen inactive for 20
    expect(after.get(keyId(2))?.status).toBe('Inactive'); // 900 days old, seen inactive for 19
    expect(after.get(keyId(3))?.status).toBe('Inactive'); // deactivated, not deleted, in the same run
    expect(after.get(keyId(4))?.status).toBe('Inactive'); // the index never recorded it: first seen now
    expect(
      run.account.calls.filter((c) => c.operation === 'DeleteAccessKey').map((c) => c.input.AccessKeyId),
    ).toEqual([keyId(1)]);
    expect(run.report?.entries.find((e) => e.accessKeyId === keyId(2))).toMatchObject({
      action: 'warn',
      rule: 'delete',
      deletionDate: '2026-11-29',
    });
  });

  it('never deletes when deleteAfterDays is off', async () => {
    const run = await runWorkflow({
      account: account([user('a', [key(1, 3000, { status: 'Inactive' })])]),
      config: config(),
    });
    expect(writeCalls(run.account.calls)).toEqual([]);
  });
});

describe('exemptions and two-key users', () => {
  it('touches only the offending key, and honours tag and group exemptions', async () => {
    const run = await runWorkflow({
      account: account([
        user('two-keys', [key(1, 120), key(2, 10)]),
        user('exempt-until', [key(3, 200)], { tags: { 'keysweep:exempt': '2026-12-01' } }),
        user('exempt-expired', [key(4, 200)], { tags: { 'keysweep:exempt': '2026-11-27' } }),
        user('exempt-invalid', [key(5, 200)], { tags: { 'keysweep:exempt': 'please' } }),
        user('break-glass', [key(6, 900)], { groups: ['emergency'] }),
      ]),
      config: config({ exemptGroups: ['emergency'] }),
    });
    const after = keysOf(run.account.toAccountFile());
    expect([1, 2, 3, 4, 5, 6].map((n) => after.get(keyId(n))?.status)).toEqual([
      'Inactive',
      'Active',
      'Active',
      'Inactive',
      'Inactive',
      'Active',
    ]);
    const text = run.emails[0]?.text ?? '';
    expect(text).toContain('Exempt (2)');
    expect(text).toContain('tag keysweep:exempt = 2026-12-01 | Until: 2026-12-01');
    expect(text).toContain('member of group emergency | Until: no end date');
    expect(text).toContain('exempt-invalid: keysweep:exempt = "please"');
    expect(run.report?.invalidExemptions).toEqual([{ userName: 'exempt-invalid', value: 'please' }]);
  });
});

describe('owner notifications', () => {
  const owners = account([
    user('alice', [key(1, 120), key(2, 80)]),
    user('bob', [key(3, 95)]),
    user('carol', [key(4, 5)]),
    user('no-address', [key(5, 100)], { tags: { email: 'not an address' } }),
  ]);

  it('emails each affected owner about their own keys only, masked', async () => {
    const run = await runWorkflow({ account: owners, config: config({ notifyOwners: true }) });
    expect(run.status).toBe('SUCCEEDED');
    const byRecipient = new Map(run.emails.map((e) => [e.to.join(','), e]));
    expect([...byRecipient.keys()].sort()).toEqual([
      'alice@example.com',
      'bob@example.com',
      'security-admins@example.com',
    ]);
    const alice = byRecipient.get('alice@example.com');
    expect(alice?.text).toContain(`AKIA************${keyId(1).slice(-4)}`);
    expect(alice?.text).toContain('was deactivated today at 120 days old');
    expect(alice?.text).toContain(`AKIA************${keyId(2).slice(-4)}`);
    expect(alice?.text).toContain('will be deactivated on or after 2026-12-08');
    // both of alice's keys are old: she is asked to make room before creating a new key
    expect(alice?.text).toContain('this makes room for the new key');
    expect(alice?.text).not.toContain(keyId(3).slice(-4));
    expect(alice?.text).not.toContain('bob');
    expect(byRecipient.get('bob@example.com')?.text).not.toContain(keyId(1).slice(-4));
    for (const email of run.emails) {
      for (const part of [email.subject, email.html, email.text]) expect(part).not.toMatch(FULL_KEY_ID);
    }
    const admin = byRecipient.get('security-admins@example.com')?.text ?? '';
    expect(admin).toContain('Owner emails sent: 2 (alice, bob)');
    expect(admin).toContain('== Owners not emailed (1) ==');
    expect(admin).toContain(
      `- User: no-address | Keys: AKIA************${keyId(5).slice(-4)} deactivated | Why: no valid address in tag email`,
    );
    expect(run.account.getObjectText(LOCAL_BUCKET, `${run.files?.prefix}owners/alice.txt`)).toBe(alice?.text);
  });

  it('reports a failed owner email without failing the run or the admin summary', async () => {
    const run = await runWorkflow({
      account: owners,
      config: config({ notifyOwners: true }),
      faults: {
        beforeCall: (call) => {
          const to = (call.input.Destination as { ToAddresses?: string[] } | undefined)?.ToAddresses;
          if (call.operation === 'SendEmail' && to?.includes('bob@example.com')) {
            throw Object.assign(new Error('Address blacklisted'), { name: 'MessageRejected' });
          }
        },
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    const admin = run.emails.find((e) => e.to.includes('security-admins@example.com'));
    expect(admin?.text).toContain('| Why: sending failed: MessageRejected: Address blacklisted');
    expect(run.report?.ownerNotifications.failed).toEqual([
      { userName: 'bob', error: 'MessageRejected: Address blacklisted' },
    ]);
  });

  it('sends no owner email in report mode', async () => {
    const run = await runWorkflow({
      account: owners,
      config: config({ notifyOwners: true, mode: 'report' }),
    });
    expect(run.emails.map((e) => e.to)).toEqual([['security-admins@example.com']]);
    expect(run.emails[0]?.text).toContain('Owner emails were not sent: report mode');
  });
});

describe('the unused rule', () => {
  it('deactivates keys unused for unusedAfterDays, creation date when never used', async () => {
    const run = await runWorkflow({
      account: account([
        user('a', [key(1, 60, { lastUsedDate: daysAgo(45) })]),
        user('b', [key(2, 45, { lastUsedDate: undefined })]),
        user('c', [key(3, 60, { lastUsedDate: daysAgo(44) })]),
        user('d', [key(4, 44, { lastUsedDate: undefined })]),
      ]),
      config: config({ unusedAfterDays: 45 }),
    });
    const after = keysOf(run.account.toAccountFile());
    expect([1, 2, 3, 4].map((n) => after.get(keyId(n))?.status)).toEqual([
      'Inactive',
      'Inactive',
      'Active',
      'Active',
    ]);
    expect(run.report?.entries.find((e) => e.userName === 'c')?.action).toBe('warn');
  });
});

/**
 * An independent statement of the rules, for the randomized check. `seen`: since when the key index
 * has seen each Inactive key inactive (absent: not recorded, first seen now).
 */
function expectedAfter(
  before: AccountFile,
  c: ReturnType<typeof config>,
  seen: ReadonlyMap<string, string>,
): Map<string, string> {
  const today = NOW.toISOString().slice(0, 10);
  const days = (iso: string) => Math.floor((NOW.getTime() - Date.parse(iso)) / 86_400_000);
  const expected = new Map<string, string>();
  for (const u of before.users) {
    const tag = u.tags?.[c.exemptTag];
    const exempt =
      (u.groups ?? []).some((g) => c.exemptGroups.includes(g)) ||
      tag === 'always' ||
      (tag !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(tag) && tag >= today);
    for (const k of u.accessKeys ?? []) {
      const age = days(k.createDate);
      const unused = days(k.lastUsedDate ?? k.createDate);
      let fate = k.status;
      const since = seen.get(k.accessKeyId);
      // a use later than the run that saw it inactive (2 hours) means it was re-activated since
      const usedSince =
        since !== undefined &&
        k.lastUsedDate !== undefined &&
        Date.parse(k.lastUsedDate) > Date.parse(since) + 2 * 3_600_000;
      if (
        k.status === 'Inactive' &&
        c.deleteAfterDays !== null &&
        since !== undefined &&
        !usedSince &&
        days(since) >= c.deleteAfterDays
      )
        fate = 'gone' as never;
      if (
        k.status === 'Active' &&
        (age >= c.deactivateAfterDays || (c.unusedAfterDays !== null && unused >= c.unusedAfterDays))
      ) {
        fate = 'Inactive';
      }
      expected.set(k.accessKeyId, exempt ? k.status : fate);
    }
  }
  return expected;
}

describe('any account and configuration', () => {
  it.each([1, 2, 3, 4, 5, 6])('leaves the account exactly as the rules say (seed %i)', async (seed) => {
    const random = mulberry32(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const c = config({
      deactivateAfterDays: pick([30, 90, 180]),
      warnBeforeDays: pick([0, 7, 14]),
      unusedAfterDays: pick([null, 20, 60]),
      deleteAfterDays: pick([null, 1, 30, 200]),
      exemptGroups: pick([[], ['ops']]),
      maxActionsPerRun: 1000,
    });
    let n = seed * 1000;
    const users = Array.from({ length: 60 }, (_, i) => {
      const keys = Array.from({ length: pick([0, 1, 2]) }, () => {
        const age = Math.floor(random() * 500);
        return key(n++, age, {
          status: random() < 0.3 ? 'Inactive' : 'Active',
          lastUsedDate: random() < 0.2 ? undefined : daysAgo(Math.floor(random() * Math.min(age + 1, 120))),
        });
      });
      const tag = pick([undefined, undefined, 'always', '2026-11-27', '2026-11-28', '2027-01-01', 'bogus']);
      return user(`user-${seed}-${i}`, keys, {
        tags: tag === undefined ? {} : { 'keysweep:exempt': tag },
        groups: random() < 0.1 ? ['ops'] : [],
      });
    });
    const before = account(users);
    // the key index has seen most inactive keys inactive for some time, and some not at all
    const seen = new Map<string, string>();
    for (const u of users)
      for (const k of u.accessKeys ?? [])
        if (k.status === 'Inactive' && random() < 0.8)
          seen.set(k.accessKeyId, daysAgo(Math.floor(random() * 300)));
    const run = await runWorkflow({
      account: before,
      config: c,
      bucketObjects: keyIndexObjects(before, (k) => seen.get(k.accessKeyId) ?? null),
    });
    expect(run.status).toBe('SUCCEEDED');
    const after = keysOf(run.account.toAccountFile());
    for (const [id, fate] of expectedAfter(before, c, seen)) {
      expect({ id, fate: after.get(id)?.status ?? 'gone' }).toEqual({ id, fate });
    }
    expect(run.report?.entries.every((e) => e.reason.length > 0)).toBe(true);
    for (const email of run.emails) expect(email.text + email.html + email.subject).not.toMatch(FULL_KEY_ID);
  });
});
