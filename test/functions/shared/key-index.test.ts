import type { DecisionsFile, KeyRecord, KeyResult } from '../../../functions/shared/batch-files';
import {
  inactiveSightingsOf,
  keyIndexSchema,
  markExposedKeys,
  updateKeyIndex,
  type ExposedKeyMark,
  type KeyIndex,
} from '../../../functions/shared/key-index';
import type { Action } from '../../../functions/shared/policy';
import { NOW, daysAgo, keyId } from '../fixtures';

/** The run wrote the index at NOW and started an hour before. */
const RUN_STARTED_AT = daysAgo(1 / 24);
const AT = { updatedAt: NOW, runStartedAt: RUN_STARTED_AT };

/** A result key unlike send-report's, to show updateKeyIndex uses the one it is given. */
const resultKey = (userName: string, accessKeyId: string) => `${userName}|${accessKeyId}`;

function record(
  userName: string,
  n: number,
  {
    status = 'Active',
    ageDays = 10,
    action = 'none',
    inactiveSince = status === 'Inactive' ? RUN_STARTED_AT : null,
  }: {
    status?: 'Active' | 'Inactive';
    ageDays?: number;
    action?: Action;
    inactiveSince?: string | null;
  } = {},
): KeyRecord {
  return {
    inactiveSince,
    userName,
    accessKeyId: keyId(n),
    status,
    createDate: daysAgo(ageDays),
    lastUsedDate: null,
    lastUsedSource: 'iam',
    ageDays,
    unusedDays: ageDays,
    action,
    rule: action === 'delete' ? 'delete' : action === 'none' ? 'none' : 'age',
    reason: 'test',
    deactivationDate: null,
    exemption: null,
    ownerEmail: null,
  };
}

function decisions(keys: KeyRecord[], usersGone: string[] = [], batchIndex = 0): DecisionsFile {
  return {
    batchIndex,
    keys,
    usersRead: new Set(keys.map((k) => k.userName)).size,
    usersGone,
    invalidExemptions: [],
  };
}

function resultsOf(...results: KeyResult[]): Map<string, KeyResult> {
  return new Map(results.map((r) => [resultKey(r.userName, r.accessKeyId), r]));
}

const entry = (
  n: number,
  ageDays: number,
  status: 'Active' | 'Inactive' = 'Active',
  deactivatedByKeysweep = false,
  /** null: no inactiveSince (an Active key, or an index written before it existed) */
  inactiveSince: string | null = status === 'Inactive' ? RUN_STARTED_AT : null,
) => ({
  accessKeyId: keyId(n),
  createDate: daysAgo(ageDays),
  status,
  ...(deactivatedByKeysweep ? { deactivatedByKeysweep: true as const } : {}),
  ...(inactiveSince !== null ? { inactiveSince } : {}),
});

const PREVIOUS: KeyIndex = {
  updatedAt: daysAgo(1),
  users: {
    alice: { keys: [entry(1, 100), entry(2, 5)] },
    bob: { keys: [entry(3, 40, 'Inactive', true, daysAgo(20))] },
    carol: { keys: [entry(4, 20)] },
  },
  deactivatedByKeysweep: ['bob'],
};

describe('updateKeyIndex', () => {
  it('builds an index from this run alone when there is no previous one', () => {
    const index = updateKeyIndex(
      null,
      [decisions([record('alice', 1, { ageDays: 100 }), record('alice', 2, { ageDays: 5 })])],
      new Map(),
      resultKey,
      AT,
    );
    expect(index).toEqual({
      updatedAt: NOW.toISOString(),
      users: { alice: { keys: [entry(1, 100), entry(2, 5)] } },
      deactivatedByKeysweep: [],
    });
    expect(keyIndexSchema.parse(index)).toEqual(index);
  });

  it('replaces the entry of a user read this run and keeps users not read', () => {
    const index = updateKeyIndex(
      PREVIOUS,
      // alice deleted key 1 herself and made key 5
      [decisions([record('alice', 2, { ageDays: 5 }), record('alice', 5, { ageDays: 0 })])],
      new Map(),
      resultKey,
      AT,
    );
    expect(index.users).toEqual({
      alice: { keys: [entry(2, 5), entry(5, 0)] },
      bob: PREVIOUS.users.bob,
      carol: PREVIOUS.users.carol,
    });
    expect(index.deactivatedByKeysweep).toEqual(['bob']);
    expect(index.updatedAt).toBe(NOW.toISOString());
  });

  it('does not change the previous index it is given', () => {
    const before = structuredClone(PREVIOUS);
    updateKeyIndex(
      PREVIOUS,
      [decisions([record('dave', 9, { action: 'deactivate' })], ['carol'])],
      resultsOf({ userName: 'dave', accessKeyId: keyId(9), action: 'deactivate', result: 'done' }),
      resultKey,
      AT,
    );
    expect(PREVIOUS).toEqual(before);
  });

  it.each<[KeyResult['result'] | 'no result', 'Active' | 'Inactive', string[]]>([
    ['done', 'Inactive', ['alice', 'bob']],
    ['dry-run', 'Active', ['bob']],
    ['skipped', 'Active', ['bob']],
    ['failed', 'Active', ['bob']],
    ['no result', 'Active', ['bob']],
  ])('after a deactivation that is %s, records the key %s', (result, status, deactivated) => {
    const results =
      result === 'no result'
        ? new Map<string, KeyResult>()
        : resultsOf({ userName: 'alice', accessKeyId: keyId(1), action: 'deactivate', result });
    const index = updateKeyIndex(
      PREVIOUS,
      [
        decisions([
          record('alice', 1, { ageDays: 100, action: 'deactivate' }),
          record('alice', 2, { ageDays: 5 }),
        ]),
      ],
      results,
      resultKey,
      AT,
    );
    expect(index.users.alice).toEqual({ keys: [entry(1, 100, status, status === 'Inactive'), entry(2, 5)] });
    expect(index.deactivatedByKeysweep).toEqual(deactivated);
  });

  it.each<[KeyResult['result'] | 'no result', boolean]>([
    ['done', false],
    ['dry-run', true],
    ['skipped', true],
    ['failed', true],
    ['no result', true],
  ])('after a deletion that is %s, keeps the key: %s', (result, kept) => {
    const results =
      result === 'no result'
        ? new Map<string, KeyResult>()
        : resultsOf({ userName: 'bob', accessKeyId: keyId(3), action: 'delete', result });
    const index = updateKeyIndex(
      PREVIOUS,
      [
        decisions([
          record('bob', 3, { status: 'Inactive', ageDays: 40, action: 'delete', inactiveSince: daysAgo(20) }),
        ]),
      ],
      results,
      resultKey,
      AT,
    );
    expect(index.users.bob).toEqual({ keys: kept ? [entry(3, 40, 'Inactive', true, daysAgo(20))] : [] });
  });

  it('finds results through the resultKey it is given', () => {
    const sendReportStyle = new Map<string, KeyResult>([
      [
        `alice/${keyId(1)}`,
        { userName: 'alice', accessKeyId: keyId(1), action: 'deactivate', result: 'done' },
      ],
    ]);
    const index = updateKeyIndex(
      null,
      [decisions([record('alice', 1, { ageDays: 100, action: 'deactivate' })])],
      sendReportStyle,
      resultKey,
      AT,
    );
    // keyed "user/key", looked up as "user|key": no result found, nothing recorded as done
    expect(index.users.alice).toEqual({ keys: [entry(1, 100)] });
    expect(index.deactivatedByKeysweep).toEqual([]);
  });

  it('removes users gone this run, from the users and from deactivatedByKeysweep', () => {
    const index = updateKeyIndex(
      PREVIOUS,
      [decisions([record('alice', 1, { ageDays: 100 })], ['bob']), decisions([], ['carol', 'never-seen'], 1)],
      new Map(),
      resultKey,
      AT,
    );
    expect(Object.keys(index.users)).toEqual(['alice']);
    expect(index.deactivatedByKeysweep).toEqual([]);
  });

  it('merges several batches and sorts deactivatedByKeysweep', () => {
    const index = updateKeyIndex(
      PREVIOUS,
      [
        decisions([record('mia', 11, { ageDays: 95, action: 'deactivate' })], [], 0),
        decisions([record('dave', 12, { ageDays: 91, action: 'deactivate' }), record('erin', 13)], [], 1),
      ],
      resultsOf(
        { userName: 'mia', accessKeyId: keyId(11), action: 'deactivate', result: 'done' },
        { userName: 'dave', accessKeyId: keyId(12), action: 'deactivate', result: 'done' },
      ),
      resultKey,
      AT,
    );
    // derived from the marked keys: bob's key from an earlier run, mia's and dave's from this one
    expect(index.deactivatedByKeysweep).toEqual(['bob', 'dave', 'mia']);
    expect(index.users.mia).toEqual({ keys: [entry(11, 95, 'Inactive', true)] });
    expect(index.users.dave).toEqual({ keys: [entry(12, 91, 'Inactive', true)] });
    expect(index.users.erin).toEqual({ keys: [entry(13, 10)] });
    expect(Object.keys(index.users).sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'mia']);
    expect(keyIndexSchema.safeParse(index).success).toBe(true);
  });

  it('takes a user out of deactivatedByKeysweep once keysweep deleted the key it had deactivated', () => {
    const index = updateKeyIndex(
      PREVIOUS,
      [decisions([record('bob', 3, { status: 'Inactive', ageDays: 200, action: 'delete' })])],
      resultsOf({ userName: 'bob', accessKeyId: keyId(3), action: 'delete', result: 'done' }),
      resultKey,
      AT,
    );
    expect(index.users.bob).toEqual({ keys: [] });
    expect(index.deactivatedByKeysweep).toEqual([]);
  });

  // Regression: the first run that read such a user again used to drop it from the list although
  // the key keysweep deactivated was still there.
  it('keeps a user in deactivatedByKeysweep while the key keysweep deactivated still exists', () => {
    const index = updateKeyIndex(
      PREVIOUS,
      [decisions([record('bob', 3, { status: 'Inactive', ageDays: 40, inactiveSince: daysAgo(20) })])],
      new Map(),
      resultKey,
      AT,
    );
    expect(index.users.bob).toEqual({ keys: [entry(3, 40, 'Inactive', true, daysAgo(20))] });
    expect(index.deactivatedByKeysweep).toEqual(['bob']);
  });

  it('keeps the last_rotated of a re-activated key, so the next run can account for its report slot', () => {
    const index = updateKeyIndex(
      null,
      [
        decisions([
          { ...record('alice', 1, { ageDays: 30 }), lastRotated: daysAgo(5) },
          record('alice', 2, { ageDays: 5 }),
        ]),
      ],
      new Map(),
      resultKey,
      AT,
    );
    expect(index.users.alice?.keys).toEqual([{ ...entry(1, 30), lastRotated: daysAgo(5) }, entry(2, 5)]);
    expect(keyIndexSchema.parse(index)).toEqual(index);
  });

  it('records since when an inactive key was seen inactive: the decision’s count, or the run’s start for a key deactivated now', () => {
    const index = updateKeyIndex(
      PREVIOUS,
      [
        decisions([
          record('alice', 1, { ageDays: 100, action: 'deactivate' }),
          record('alice', 2, { status: 'Inactive', ageDays: 5, inactiveSince: daysAgo(3) }),
        ]),
      ],
      resultsOf({ userName: 'alice', accessKeyId: keyId(1), action: 'deactivate', result: 'done' }),
      resultKey,
      AT,
    );
    expect(index.users.alice?.keys).toEqual([
      entry(1, 100, 'Inactive', true, RUN_STARTED_AT),
      entry(2, 5, 'Inactive', false, daysAgo(3)),
    ]);
    expect(keyIndexSchema.parse(index)).toEqual(index);
  });

  it('counts an inactive key whose decision has no inactiveSince (written before it existed) from this run', () => {
    const old = record('carol', 4, { status: 'Inactive', ageDays: 400 });
    delete old.inactiveSince;
    const index = updateKeyIndex(PREVIOUS, [decisions([old])], new Map(), resultKey, AT);
    expect(index.users.carol?.keys).toEqual([entry(4, 400, 'Inactive', false, RUN_STARTED_AT)]);
  });

  it('drops inactiveSince once the key is active again, so a later deactivation counts afresh', () => {
    const index = updateKeyIndex(
      PREVIOUS,
      [decisions([record('bob', 3, { status: 'Active', ageDays: 40 })])],
      new Map(),
      resultKey,
      AT,
    );
    expect(index.users.bob?.keys).toEqual([entry(3, 40, 'Active', true)]);
  });

  it('keeps the inactiveSince of users not read this run', () => {
    const index = updateKeyIndex(PREVIOUS, [decisions([record('alice', 1)])], new Map(), resultKey, AT);
    expect(index.users.bob).toEqual(PREVIOUS.users.bob);
  });
});

describe('the key index schema', () => {
  it('reads an index written before inactiveSince existed', () => {
    const old = {
      updatedAt: daysAgo(1),
      users: { bob: { keys: [{ ...entry(3, 400, 'Inactive', true, null) }] } },
      deactivatedByKeysweep: ['bob'],
    };
    expect(keyIndexSchema.parse(old).users.bob?.keys[0]?.inactiveSince).toBeUndefined();
  });
});

describe('inactiveSightingsOf', () => {
  it('gives the inactive keys of a user with their sighting; an index without one gives null', () => {
    const index: KeyIndex = {
      ...PREVIOUS,
      users: {
        ...PREVIOUS.users,
        alice: { keys: [entry(1, 100), entry(2, 500, 'Inactive', false, null)] },
      },
    };
    expect(inactiveSightingsOf(index, 'bob')).toEqual([
      { accessKeyId: keyId(3), inactiveSince: daysAgo(20), deactivatedByKeysweep: true },
    ]);
    expect(inactiveSightingsOf(index, 'alice')).toEqual([
      { accessKeyId: keyId(2), inactiveSince: null, deactivatedByKeysweep: false },
    ]);
    expect(inactiveSightingsOf(index, 'nobody')).toEqual([]);
  });
});

describe('markExposedKeys: keys the exposure path deactivated count as keysweep’s own', () => {
  const ACCOUNT = '123456789012';
  const EXPOSED_AT = daysAgo(0.5);
  const exposed = (n: number, overrides: Partial<ExposedKeyMark> = {}): ExposedKeyMark => ({
    accountId: ACCOUNT,
    userName: 'alice',
    accessKeyId: keyId(n),
    result: 'deactivated',
    createDate: daysAgo(20),
    deactivatedAt: EXPOSED_AT,
    ...overrides,
  });
  const run = (usersRead: string[] = []) => ({
    accountId: ACCOUNT,
    startedAt: RUN_STARTED_AT,
    usersRead: new Set(usersRead),
  });
  const indexWith = (status: 'Active' | 'Inactive', inactiveSince?: string): KeyIndex => ({
    updatedAt: daysAgo(1),
    users: {
      alice: {
        keys: [
          {
            accessKeyId: keyId(1),
            createDate: daysAgo(20),
            status,
            ...(inactiveSince ? { inactiveSince } : {}),
          },
        ],
      },
    },
    deactivatedByKeysweep: [],
  });

  it('marks a known key deactivated by keysweep, inactive since the exposure run, and its user always read', () => {
    const index = markExposedKeys(indexWith('Active'), [exposed(1)], run());
    expect(index.users.alice?.keys[0]).toMatchObject({
      status: 'Inactive',
      deactivatedByKeysweep: true,
      inactiveSince: EXPOSED_AT,
    });
    expect(index.deactivatedByKeysweep).toEqual(['alice']);
    // the sweep's own reading of it: a key keysweep deactivated is read every day
    expect(inactiveSightingsOf(index, 'alice')).toEqual([
      { accessKeyId: keyId(1), inactiveSince: EXPOSED_AT, deactivatedByKeysweep: true },
    ]);
  });

  it('counts from the exposure, not from this run, when this run saw the key inactive after it', () => {
    const index = markExposedKeys(indexWith('Inactive', RUN_STARTED_AT), [exposed(1)], run(['alice']));
    expect(index.users.alice?.keys[0]?.inactiveSince).toBe(EXPOSED_AT);
  });

  it('keeps the active status of a key this run read after the exposure (re-activated since), marked', () => {
    const index = markExposedKeys(indexWith('Active'), [exposed(1)], run(['alice']));
    expect(index.users.alice?.keys[0]).toMatchObject({ status: 'Active', deactivatedByKeysweep: true });
  });

  it('adds a key the index does not know yet, unless this run read the user and found it gone', () => {
    const added = markExposedKeys(indexWith('Active'), [exposed(2)], run());
    expect(added.users.alice?.keys.map((k) => k.accessKeyId)).toEqual([keyId(1), keyId(2)]);
    const gone = markExposedKeys(indexWith('Active'), [exposed(2)], run(['alice']));
    expect(gone.users.alice?.keys.map((k) => k.accessKeyId)).toEqual([keyId(1)]);
  });

  it('leaves alone keys of other accounts, keys it did not deactivate, and keys of no known user', () => {
    const before = indexWith('Active');
    const after = markExposedKeys(
      before,
      [
        exposed(1, { accountId: '222222222222' }),
        exposed(1, { result: 'already-inactive' }),
        exposed(1, { result: 'reported' }),
        exposed(1, { userName: null }),
      ],
      run(),
    );
    expect(after.users).toEqual(before.users);
    expect(after.deactivatedByKeysweep).toEqual([]);
  });
});
