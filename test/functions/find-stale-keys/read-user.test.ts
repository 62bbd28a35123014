import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readUser, reportSlotOf } from '../../../functions/find-stale-keys/read-user';
import { policyOf } from '../../../functions/shared/config';
import type { AccessKeyInfo } from '../../../functions/shared/iam-users';
import { lastUseMatters } from '../../../functions/shared/policy';
import {
  FakeIam,
  NOW,
  daysAgo,
  keyId,
  noSuchEntity,
  noWaitRetry,
  testConfig,
  throttlingError,
  type FakeKey,
} from '../fixtures';

const iamMock = mockClient(IAMClient);

beforeEach(() => {
  iamMock.reset();
});

interface Slot {
  active: boolean;
  lastRotated: string | null;
  lastUsedDate: string | null;
}

const slot = (lastRotated: string | null, lastUsedDate: string | null = null, active = true): Slot => ({
  active,
  lastRotated,
  lastUsedDate,
});

describe('reportSlotOf', () => {
  const created = '2026-05-01T10:00:00.734Z';
  const a = slot('2026-05-01T10:00:00.000Z', daysAgo(1));
  const b = slot('2026-06-01T10:00:00.000Z', daysAgo(2));

  it.each<[string, string, Slot[], Slot | null]>([
    ['the one slot created in the same second', created, [b, a], a],
    [
      'a slot whose date has milliseconds, for a key without',
      '2026-06-01T10:00:00Z',
      [slot('2026-06-01T10:00:00.999Z')],
      slot('2026-06-01T10:00:00.999Z'),
    ],
    [
      'a slot written with an offset',
      '2026-06-01T10:00:00Z',
      [slot('2026-06-01T12:00:00+02:00')],
      slot('2026-06-01T12:00:00+02:00'),
    ],
    ['no slot for a re-activated key (last_rotated moved)', created, [slot(daysAgo(2))], null],
    ['no slot one second off', '2026-05-01T10:00:01.000Z', [a], null],
    ['no slot among none', created, [], null],
    [
      'no slot when two match (keys created in the same second)',
      created,
      [a, slot('2026-05-01T10:00:00.000Z')],
      null,
    ],
    ['a slot beside one without a date', created, [slot(null), a], a],
  ])('finds %s', (_name, createDate, slots, expected) => {
    expect(reportSlotOf(createDate, slots)).toEqual(expected);
  });
});

/** A user "alice" with these keys, served by a stateful fake IAM. */
function account(keys: FakeKey[], users: Record<string, { keys: FakeKey[] }> = {}): FakeIam {
  return new FakeIam({ alice: { tags: { team: 'core' }, groups: ['developers'], keys }, ...users }).install(
    iamMock,
  );
}

const key = (
  n: number,
  createDate: string,
  lastUsedDate: string | null,
  status: 'Active' | 'Inactive' = 'Active',
) => ({
  accessKeyId: keyId(n),
  status,
  createDate,
  lastUsedDate,
});

const CREATED = '2026-09-01T10:00:00.734Z';
const REPORT_CREATED = '2026-09-01T10:00:00.000Z';
const IAM_LAST_USED = '2026-11-27T18:00:00.000Z';
const REPORT_LAST_USED = '2026-11-27T06:00:00.000Z';

function read(
  reportKeys: readonly Slot[] | undefined,
  matters: (key: AccessKeyInfo) => boolean = () => true,
  userName = 'alice',
) {
  return readUser(new IAMClient({}), userName, {
    readGroups: true,
    retry: noWaitRetry,
    reportKeys,
    lastUseMatters: matters,
  });
}

describe('readUser: the last use of a key', () => {
  it.each<[string, Slot[] | undefined, boolean, string | null, 'iam' | 'credential-report', number]>([
    // [name, report slots, lastUseMatters, lastUsedDate, source, GetAccessKeyLastUsed calls]
    [
      'a matched slot with a date, last use mattering',
      [slot(REPORT_CREATED, REPORT_LAST_USED)],
      true,
      REPORT_LAST_USED,
      'credential-report',
      0,
    ],
    [
      'a matched slot with a date, last use not mattering',
      [slot(REPORT_CREATED, REPORT_LAST_USED)],
      false,
      REPORT_LAST_USED,
      'credential-report',
      0,
    ],
    [
      'a matched slot with N/A, last use not mattering',
      [slot(REPORT_CREATED)],
      false,
      null,
      'credential-report',
      0,
    ],
    ['a matched slot with N/A, last use mattering', [slot(REPORT_CREATED)], true, IAM_LAST_USED, 'iam', 1],
    [
      'a slot rotated after creation (a re-activated key), last use not mattering',
      [slot(daysAgo(2), REPORT_LAST_USED)],
      false,
      REPORT_LAST_USED,
      'credential-report',
      0,
    ],
    [
      'a slot rotated after creation (a re-activated key), last use mattering',
      [slot(daysAgo(2), REPORT_LAST_USED)],
      true,
      REPORT_LAST_USED,
      'credential-report',
      0,
    ],
    [
      'a slot rotated before creation (another key, deleted since): not this key',
      [slot('2026-08-01T10:00:00+00:00', REPORT_LAST_USED)],
      false,
      IAM_LAST_USED,
      'iam',
      1,
    ],
    ['no report slots at all', [], false, IAM_LAST_USED, 'iam', 1],
    ['no report for the user', undefined, false, IAM_LAST_USED, 'iam', 1],
  ])('%s', async (_name, reportKeys, matters, lastUsedDate, source, calls) => {
    account([key(1, CREATED, IAM_LAST_USED)]);
    const snapshot = await read(reportKeys, () => matters);
    const paired = reportKeys?.[0]?.lastRotated === daysAgo(2);
    expect(snapshot?.keys).toEqual([
      {
        accessKeyId: keyId(1),
        status: 'Active',
        createDate: CREATED,
        lastUsedDate,
        lastUsedSource: source,
        // the report's last_rotated of a re-activated key, kept so the next run knows it
        lastRotated: paired ? daysAgo(2) : null,
      },
    ]);
    expect(iamMock).toHaveReceivedCommandTimes(GetAccessKeyLastUsedCommand, calls);
  });

  it('asks IAM about both keys created in the same second (the report cannot tell them apart)', async () => {
    account([
      key(1, '2026-09-01T10:00:00.100Z', '2026-11-01T00:00:00.000Z'),
      key(2, '2026-09-01T10:00:00.900Z', null),
    ]);
    const snapshot = await read([slot(REPORT_CREATED, REPORT_LAST_USED), slot(REPORT_CREATED)], () => false);
    expect(snapshot?.keys.map((k) => [k.accessKeyId, k.lastUsedDate, k.lastUsedSource])).toEqual([
      [keyId(1), '2026-11-01T00:00:00.000Z', 'iam'],
      [keyId(2), null, 'iam'],
    ]);
    expect(iamMock).toHaveReceivedCommandTimes(GetAccessKeyLastUsedCommand, 2);
  });

  it('matches each key to its own slot, whatever the slot order', async () => {
    account([key(1, daysAgo(100), null), key(2, daysAgo(10), null)]);
    const snapshot = await read([slot(daysAgo(10), daysAgo(3)), slot(daysAgo(100), daysAgo(50))], () => true);
    expect(snapshot?.keys.map((k) => [k.accessKeyId, k.lastUsedDate, k.lastUsedSource])).toEqual([
      [keyId(1), daysAgo(50), 'credential-report'],
      [keyId(2), daysAgo(3), 'credential-report'],
    ]);
    expect(iamMock).not.toHaveReceivedCommand(GetAccessKeyLastUsedCommand);
  });

  it('hands lastUseMatters the key as IAM lists it', async () => {
    account([key(1, CREATED, null, 'Inactive')]);
    const matters = jest.fn((_key: AccessKeyInfo) => false);
    await read([slot(REPORT_CREATED, null, false)], matters);
    expect(matters).toHaveBeenCalledWith({ accessKeyId: keyId(1), status: 'Inactive', createDate: CREATED });
  });
});

describe('readUser with the policy’s lastUseMatters', () => {
  const withUnused = policyOf(testConfig({ unusedAfterDays: 45 }));
  const ageOnly = policyOf(testConfig());

  it.each<[string, boolean, FakeKey, ReturnType<typeof policyOf>]>([
    ['an Active key under the age limit, unused rule on', true, key(1, daysAgo(30), daysAgo(1)), withUnused],
    ['an Active key over the age limit, unused rule on', false, key(1, daysAgo(95), daysAgo(1)), withUnused],
    ['an Inactive key, unused rule on', false, key(1, daysAgo(30), daysAgo(1), 'Inactive'), withUnused],
    ['an Active key under the age limit, unused rule off', false, key(1, daysAgo(30), daysAgo(1)), ageOnly],
  ])('N/A in the report for %s → asks IAM: %s', async (_name, asks, fakeKey, policy) => {
    account([fakeKey]);
    const snapshot = await read([slot(fakeKey.createDate)], (k) => lastUseMatters(k, policy, NOW));
    expect(snapshot?.keys[0]?.lastUsedSource).toBe(asks ? 'iam' : 'credential-report');
    expect(snapshot?.keys[0]?.lastUsedDate).toBe(asks ? daysAgo(1) : null);
    expect(iamMock).toHaveReceivedCommandTimes(GetAccessKeyLastUsedCommand, asks ? 1 : 0);
  });
});

describe('readUser: the user', () => {
  it('reads keys, tags and groups', async () => {
    account([key(1, CREATED, null)]);
    await expect(read([slot(REPORT_CREATED)], () => false)).resolves.toEqual({
      user: { userName: 'alice', tags: { team: 'core' }, groups: ['developers'] },
      keys: [
        {
          accessKeyId: keyId(1),
          status: 'Active',
          createDate: CREATED,
          lastUsedDate: null,
          lastUsedSource: 'credential-report',
          lastRotated: null,
        },
      ],
    });
    expect(iamMock).toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName: 'alice' });
    expect(iamMock).toHaveReceivedCommandWith(ListUserTagsCommand, { UserName: 'alice' });
    expect(iamMock).toHaveReceivedCommandWith(ListGroupsForUserCommand, { UserName: 'alice' });
  });

  it('does not read groups when told not to', async () => {
    account([]);
    const snapshot = await readUser(new IAMClient({}), 'alice', {
      readGroups: false,
      retry: noWaitRetry,
      lastUseMatters: () => true,
    });
    expect(snapshot?.user.groups).toEqual([]);
    expect(iamMock).not.toHaveReceivedCommand(ListGroupsForUserCommand);
  });

  it('returns null for a user that is gone', async () => {
    account([]);
    await expect(read([slot(REPORT_CREATED, REPORT_LAST_USED)], () => true, 'erin')).resolves.toBeNull();
    expect(iamMock).not.toHaveReceivedCommand(GetAccessKeyLastUsedCommand);
  });

  it('returns null for a user deleted between listing its keys and its tags', async () => {
    account([key(1, CREATED, null)]).failNext('ListUserTags', noSuchEntity(), 'alice');
    await expect(read(undefined)).resolves.toBeNull();
  });

  it('leaves out a key deleted between listing it and asking for its last use', async () => {
    account([key(1, daysAgo(30), null), key(2, daysAgo(20), daysAgo(2))]).failNext(
      'GetAccessKeyLastUsed',
      noSuchEntity(),
      keyId(1),
    );
    const snapshot = await read(undefined);
    expect(snapshot?.keys.map((k) => k.accessKeyId)).toEqual([keyId(2)]);
  });

  it('retries a throttled GetAccessKeyLastUsed', async () => {
    account([key(1, CREATED, IAM_LAST_USED)]).failNext(
      'GetAccessKeyLastUsed',
      throttlingError(),
      keyId(1),
      2,
    );
    const snapshot = await read(undefined);
    expect(snapshot?.keys[0]?.lastUsedDate).toBe(IAM_LAST_USED);
    expect(iamMock).toHaveReceivedCommandTimes(GetAccessKeyLastUsedCommand, 3);
  });

  it('throws any other error', async () => {
    account([key(1, CREATED, null)]).failNext(
      'GetAccessKeyLastUsed',
      Object.assign(new Error('not authorized'), { name: 'AccessDenied' }),
    );
    await expect(read(undefined)).rejects.toThrow('not authorized');
  });
});
