import { selectCandidates } from '../../../functions/list-users/candidates';
import type { CredentialReportRow, ReportKeySlot } from '../../../functions/list-users/credential-report-csv';
import { policyOf, type Policy } from '../../../functions/shared/config';
import type { KeyIndex } from '../../../functions/shared/key-index';
import { NOW, daysAgo, keyId, testConfig } from '../fixtures';

/** deactivate 90, warn 14, unused and delete off: an Active key is read from 76 days on. */
const AGE_ONLY = policyOf(testConfig());
/** deactivate 90, warn 14, unused 45 (read from 31 days unused), delete 180. */
const FULL = policyOf(testConfig({ unusedAfterDays: 45, deleteAfterDays: 180 }));

const slot = (
  lastRotated: string | null,
  { active = true, lastUsedDate = null }: { active?: boolean; lastUsedDate?: string | null } = {},
): ReportKeySlot => ({ active, lastRotated, lastUsedDate });

/** An inactive key of the index: created then, seen inactive since then (undefined: an index from before inactiveSince). */
interface InactiveEntry {
  createDate: string;
  inactiveSince?: string;
}

/** A key index that knows these keys per user: an Active key's creation date, or an inactive key. */
function indexOf(
  users: Record<string, (string | InactiveEntry)[]>,
  deactivatedByKeysweep: string[] = [],
): KeyIndex {
  let n = 0;
  return {
    updatedAt: daysAgo(1),
    users: Object.fromEntries(
      Object.entries(users).map(([userName, keys]) => [
        userName,
        {
          keys: keys.map((key) =>
            typeof key === 'string'
              ? { accessKeyId: keyId(++n), createDate: key, status: 'Active' as const }
              : { accessKeyId: keyId(++n), status: 'Inactive' as const, ...key },
          ),
        },
      ]),
    ),
    deactivatedByKeysweep,
  };
}

/** selectCandidates when ListUsers names exactly the report's users. */
function select(rows: CredentialReportRow[], index: KeyIndex, policy: Policy, now: Date) {
  return selectCandidates(
    rows,
    rows.map((row) => row.userName),
    index,
    policy,
    now,
  );
}

/** Runs selectCandidates over one user whose key slots the index knows. */
function selectOne(keys: ReportKeySlot[], policy: Policy) {
  const known = keys.flatMap((k) => (k.lastRotated === null ? [] : [k.lastRotated]));
  return select([{ userName: 'alice', keys }], indexOf({ alice: known }), policy, NOW);
}

describe('selectCandidates: keys the index knows', () => {
  it.each<[string, ReportKeySlot[], Policy, boolean]>([
    // age rule, read from deactivateAfterDays - warnBeforeDays = 76
    ['an Active key 76 days old', [slot(daysAgo(76))], AGE_ONLY, true],
    ['an Active key 75 days old', [slot(daysAgo(75))], AGE_ONLY, false],
    ['an Active key 75.99 days old (whole days)', [slot(daysAgo(75.99))], AGE_ONLY, false],
    ['an Active key 400 days old', [slot(daysAgo(400))], AGE_ONLY, true],
    ['an Active key created today', [slot(daysAgo(0.1))], AGE_ONLY, false],
    ['a young key beside one 76 days old', [slot(daysAgo(3)), slot(daysAgo(76))], AGE_ONLY, true],
    // unused rule off: last use does not matter
    ['an Active key 60 days old never used, unused rule off', [slot(daysAgo(60))], AGE_ONLY, false],
    // unused rule 45, read from 31 days unused
    [
      'an Active key 60 days old last used 31 days ago',
      [slot(daysAgo(60), { lastUsedDate: daysAgo(31) })],
      FULL,
      true,
    ],
    [
      'an Active key 60 days old last used 30 days ago',
      [slot(daysAgo(60), { lastUsedDate: daysAgo(30) })],
      FULL,
      false,
    ],
    [
      'an Active key 60 days old used yesterday',
      [slot(daysAgo(60), { lastUsedDate: daysAgo(1) })],
      FULL,
      false,
    ],
    ['an Active key 31 days old never used (N/A)', [slot(daysAgo(31))], FULL, true],
    ['an Active key 30 days old never used (N/A)', [slot(daysAgo(30))], FULL, false],
    [
      'an Active key 76 days old used yesterday',
      [slot(daysAgo(76), { lastUsedDate: daysAgo(1) })],
      FULL,
      true,
    ],
    // an inactive slot is never read for its age (the delete rule counts from the index, below)
    ['an Inactive key 500 days old, delete 180', [slot(daysAgo(500), { active: false })], FULL, false],
    ['an Inactive key 500 days old, delete off', [slot(daysAgo(500), { active: false })], AGE_ONLY, false],
    // no keys
    ['a user without keys', [], FULL, false],
    ['a slot without a last_rotated date', [slot(null)], FULL, false],
  ])('%s → read: %s', (_name, keys, policy, read) => {
    const candidates = selectOne(keys, policy);
    expect(candidates.userNames).toEqual(read ? ['alice'] : []);
    expect(candidates.reasons).toEqual({
      'may-need-action': read ? 1 : 0,
      'unknown-key': 0,
      'deactivated-by-keysweep': 0,
      'no-report-row': 0,
    });
  });

  it.each([
    [0, 89, false],
    [0, 90, true],
    [30, 59, false],
    [30, 60, true],
  ])('with warnBeforeDays %i reads an Active key %i days old: %s', (warnBeforeDays, age, read) => {
    const policy = policyOf(testConfig({ warnBeforeDays }));
    expect(selectOne([slot(daysAgo(age))], policy).userNames).toEqual(read ? ['alice'] : []);
  });
});

describe('selectCandidates: inactive keys, by the key index alone', () => {
  // FULL: delete 180, warn 14: a user is read from 166 days seen inactive on
  const inactiveFor = (days: number | undefined): InactiveEntry => ({
    createDate: daysAgo(900),
    ...(days === undefined ? {} : { inactiveSince: daysAgo(days) }),
  });
  /** alice's inactive key as the report shows it: N/A (AWS's documented reading), or its creation. */
  const slots = { 'N/A': [slot(null, { active: false })], creation: [slot(daysAgo(900), { active: false })] };

  it.each<[string, number | undefined, Policy, boolean]>([
    ['seen inactive for 166 days (the first day of the deletion warning)', 166, FULL, true],
    ['seen inactive for 165 days', 165, FULL, false],
    ['seen inactive for 400 days (past the deletion, not read since)', 400, FULL, true],
    ['seen inactive for 500 days, deletion off', 500, AGE_ONLY, false],
    ['in an index from before inactiveSince (first seen when next read)', undefined, FULL, false],
  ])('reads a user whose indexed inactive key is %s: %s', (_name, days, policy, read) => {
    for (const keys of Object.values(slots)) {
      const candidates = select(
        [{ userName: 'alice', keys }],
        indexOf({ alice: [inactiveFor(days)] }),
        policy,
        NOW,
      );
      expect(candidates.userNames).toEqual(read ? ['alice'] : []);
      expect(candidates.reasons['may-need-action']).toBe(read ? 1 : 0);
    }
  });

  it.each([
    [0, 179, false],
    [0, 180, true],
    [30, 149, false],
    [30, 150, true],
  ])('with warnBeforeDays %i reads a key seen inactive for %i days: %s', (warnBeforeDays, days, read) => {
    const policy = policyOf(testConfig({ deleteAfterDays: 180, warnBeforeDays }));
    const candidates = select(
      [{ userName: 'alice', keys: slots['N/A'] }],
      indexOf({ alice: [inactiveFor(days)] }),
      policy,
      NOW,
    );
    expect(candidates.userNames).toEqual(read ? ['alice'] : []);
  });
});

describe('selectCandidates: keys the index cannot account for', () => {
  it.each<[string, KeyIndex, ReportKeySlot[]]>([
    [
      'a re-activated old key that looks young (last_rotated moved)',
      indexOf({ alice: [daysAgo(200)] }),
      [slot(daysAgo(2))],
    ],
    [
      'a key created since the last run',
      indexOf({ alice: [daysAgo(10)] }),
      [slot(daysAgo(10)), slot(daysAgo(1))],
    ],
    ['a user absent from the index', indexOf({ bob: [daysAgo(10)] }), [slot(daysAgo(10))]],
    [
      'an Inactive key the index does not know',
      indexOf({ alice: [] }),
      [slot(daysAgo(5), { active: false })],
    ],
    [
      'a last_rotated one second off every known creation',
      indexOf({ alice: ['2026-11-18T08:00:00.000Z'] }),
      [slot('2026-11-18T08:00:01.000Z')],
    ],
  ])('%s → unknown-key', (_name, index, keys) => {
    const candidates = select([{ userName: 'alice', keys }], index, AGE_ONLY, NOW);
    expect(candidates).toEqual({
      userNames: ['alice'],
      reasons: { 'may-need-action': 0, 'unknown-key': 1, 'deactivated-by-keysweep': 0, 'no-report-row': 0 },
    });
  });

  it('does not read a user absent from the index who has no keys', () => {
    const candidates = select([{ userName: 'alice', keys: [] }], indexOf({}), FULL, NOW);
    expect(candidates.userNames).toEqual([]);
  });

  it.each([
    [
      'the index with milliseconds, the report without',
      '2026-11-18T08:00:00.734Z',
      '2026-11-18T08:00:00.000Z',
    ],
    ['the index without, the report with', '2026-11-18T08:00:00.000Z', '2026-11-18T08:00:00.999Z'],
    ['an offset date in the report', '2026-11-18T08:00:00.500Z', '2026-11-18T09:00:00+01:00'],
  ])('matches creation dates to the second: %s', (_name, createDate, lastRotated) => {
    const candidates = select(
      [{ userName: 'alice', keys: [slot(lastRotated)] }],
      indexOf({ alice: [createDate] }),
      AGE_ONLY,
      NOW,
    );
    // a known 10-day-old key: nothing to read
    expect(candidates.userNames).toEqual([]);
  });
});

describe('selectCandidates: users keysweep deactivated a key of', () => {
  it.each<[string, ReportKeySlot[]]>([
    ['with a young known key', [slot(daysAgo(3))]],
    ['with an old key (the reason is still deactivated-by-keysweep)', [slot(daysAgo(100))]],
    ['without any key in the report', []],
  ])('reads such a user %s', (_name, keys) => {
    const index = indexOf({ alice: [daysAgo(3), daysAgo(100)] }, ['alice']);
    const candidates = select([{ userName: 'alice', keys }], index, AGE_ONLY, NOW);
    expect(candidates).toEqual({
      userNames: ['alice'],
      reasons: { 'may-need-action': 0, 'unknown-key': 0, 'deactivated-by-keysweep': 1, 'no-report-row': 0 },
    });
  });
});

describe('selectCandidates over a whole report', () => {
  const rows: CredentialReportRow[] = [
    { userName: 'old', keys: [slot(daysAgo(120))] },
    { userName: 'young', keys: [slot(daysAgo(10))] },
    { userName: 'new-key', keys: [slot(daysAgo(10)), slot(daysAgo(0.5))] },
    { userName: 'idle', keys: [slot(daysAgo(50), { lastUsedDate: daysAgo(40) })] },
    { userName: 'was-deactivated', keys: [slot(daysAgo(95), { active: false })] },
    { userName: 'no-keys', keys: [] },
    { userName: 'newcomer', keys: [slot(daysAgo(1))] },
    { userName: 'dead', keys: [slot(null, { active: false })] },
    { userName: 'dormant', keys: [slot(daysAgo(300), { active: false })] },
  ];
  const index = indexOf(
    {
      old: [daysAgo(120)],
      young: [daysAgo(10)],
      'new-key': [daysAgo(10)],
      idle: [daysAgo(50)],
      'was-deactivated': [daysAgo(95)],
      'no-keys': [],
      // seen inactive for 170 days: within the deletion warning (delete 180, warn 14)
      dead: [{ createDate: daysAgo(300), inactiveSince: daysAgo(170) }],
      // 300 days old, but seen inactive for 10 days only
      dormant: [{ createDate: daysAgo(300), inactiveSince: daysAgo(10) }],
    },
    ['was-deactivated', 'gone-since'],
  );

  it('keeps report order and counts each user under one reason', () => {
    expect(select(rows, index, FULL, NOW)).toEqual({
      userNames: ['old', 'new-key', 'idle', 'was-deactivated', 'newcomer', 'dead'],
      reasons: { 'may-need-action': 3, 'unknown-key': 2, 'deactivated-by-keysweep': 1, 'no-report-row': 0 },
    });
  });

  it('reads fewer users when the unused and delete rules are off', () => {
    expect(select(rows, index, AGE_ONLY, NOW)).toEqual({
      userNames: ['old', 'new-key', 'was-deactivated', 'newcomer'],
      reasons: { 'may-need-action': 1, 'unknown-key': 2, 'deactivated-by-keysweep': 1, 'no-report-row': 0 },
    });
  });

  it('reads nobody from an empty report', () => {
    expect(select([], index, FULL, NOW)).toEqual({
      userNames: [],
      reasons: { 'may-need-action': 0, 'unknown-key': 0, 'deactivated-by-keysweep': 0, 'no-report-row': 0 },
    });
  });
});

describe('selectCandidates: keys re-activated in an earlier run', () => {
  /** An index that knows alice's key created `created` days ago and re-activated `rotated` days ago. */
  function reactivated(created: number, rotated: number): KeyIndex {
    return {
      updatedAt: daysAgo(1),
      users: {
        alice: {
          keys: [
            {
              accessKeyId: keyId(1),
              createDate: daysAgo(created),
              lastRotated: daysAgo(rotated),
              status: 'Active',
            },
          ],
        },
      },
      deactivatedByKeysweep: [],
    };
  }

  it('accounts for a slot whose last_rotated is a re-activation seen before: a young key is not read again', () => {
    const result = select(
      [{ userName: 'alice', keys: [slot(daysAgo(5))] }],
      reactivated(30, 5),
      AGE_ONLY,
      NOW,
    );
    expect(result.userNames).toEqual([]);
  });

  it('ages such a key by its creation, so an old re-activated key is still read', () => {
    const result = select(
      [{ userName: 'alice', keys: [slot(daysAgo(5))] }],
      reactivated(200, 5),
      AGE_ONLY,
      NOW,
    );
    expect(result).toEqual({
      userNames: ['alice'],
      reasons: { 'may-need-action': 1, 'unknown-key': 0, 'deactivated-by-keysweep': 0, 'no-report-row': 0 },
    });
  });

  it('reads the user again when the key is re-activated once more', () => {
    const result = select(
      [{ userName: 'alice', keys: [slot(daysAgo(2))] }],
      reactivated(30, 5),
      AGE_ONLY,
      NOW,
    );
    expect(result.reasons['unknown-key']).toBe(1);
  });
});

describe('selectCandidates: users the report has no readable row of', () => {
  const index = indexOf({ old: [daysAgo(120)], young: [daysAgo(10)], gone: [daysAgo(10)] });
  const rows: CredentialReportRow[] = [
    { userName: 'old', keys: [slot(daysAgo(120))] },
    { userName: 'young', keys: [slot(daysAgo(10))] },
  ];

  it('reads every listed user without a row (created since the report, or its row was unreadable)', () => {
    const listed = ['created-since', 'old', 'ops,team', 'young', 'no-keys-known'];
    expect(selectCandidates(rows, listed, index, AGE_ONLY, NOW)).toEqual({
      userNames: ['old', 'created-since', 'ops,team', 'no-keys-known'],
      reasons: { 'may-need-action': 1, 'unknown-key': 0, 'deactivated-by-keysweep': 0, 'no-report-row': 3 },
    });
  });

  it('reads such a user even when the index knows it with young keys only', () => {
    expect(selectCandidates([], ['young'], index, AGE_ONLY, NOW).userNames).toEqual(['young']);
  });

  it('still judges a row whose user ListUsers no longer names (deleted since the report)', () => {
    const gone: CredentialReportRow = { userName: 'gone', keys: [slot(daysAgo(100))] };
    const result = selectCandidates([...rows, gone], ['old', 'young'], index, AGE_ONLY, NOW);
    expect(result.userNames).toEqual(['old', 'gone']);
    expect(result.reasons['no-report-row']).toBe(0);
  });

  it('counts a name ListUsers repeats once', () => {
    const result = selectCandidates([], ['twice', 'twice'], index, AGE_ONLY, NOW);
    expect(result).toEqual({
      userNames: ['twice'],
      reasons: { 'may-need-action': 0, 'unknown-key': 0, 'deactivated-by-keysweep': 0, 'no-report-row': 1 },
    });
  });
});
