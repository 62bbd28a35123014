import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
  DeleteAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { findStaleKeys, type FindStaleKeysDeps } from '../../../functions/find-stale-keys/find-stale-keys';
import { handler } from '../../../functions/find-stale-keys/handler';
import {
  actionsFileSchema,
  decisionsFileSchema,
  type IndexedInactiveKey,
} from '../../../functions/shared/batch-files';
import {
  FakeBucket,
  FakeIam,
  PREFIX,
  daysAgo,
  fakeContext,
  keyId,
  noSuchEntity,
  noWaitRetry,
  testConfig,
  testRun,
  throttlingError,
  type FakeUser,
} from '../fixtures';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const BUCKET = 'reports-bucket';
const USERS_KEY = `${PREFIX}batches/0003-users.json`;
const DECISIONS_KEY = `${PREFIX}batches/0003-decisions.json`;
const ACTIONS_KEY = `${PREFIX}batches/0003-actions.json`;

const POLICY = { unusedAfterDays: 45, deleteAfterDays: 180, exemptGroups: ['break-glass'] };

let bucket: FakeBucket;

beforeEach(() => {
  iamMock.reset();
  s3Mock.reset();
  bucket = new FakeBucket().install(s3Mock);
});

function deps(configOverrides: Record<string, unknown> = POLICY): FindStaleKeysDeps {
  return {
    iam: new IAMClient({}),
    s3: new S3Client({}),
    bucket: BUCKET,
    config: testConfig(configOverrides),
    retry: noWaitRetry,
  };
}

const event = (userCount: number) => ({ run: testRun(), batch: { index: 3, userCount } });

/** Puts the batch's users file (with what the key index says of their inactive keys) and serves their IAM data. */
function account(
  users: Record<string, FakeUser>,
  listed: string[] = Object.keys(users),
  indexed: Record<string, IndexedInactiveKey[]> = {},
): FakeIam {
  bucket.put(USERS_KEY, {
    users: listed.map((userName) => ({
      userName,
      ...(indexed[userName] ? { inactiveKeys: indexed[userName] } : {}),
    })),
  });
  return new FakeIam(users).install(iamMock);
}

/** The key index's sighting of an inactive key: seen inactive since `days` days ago. */
const seenInactive = (n: number, days: number, deactivatedByKeysweep = false): IndexedInactiveKey => ({
  accessKeyId: keyId(n),
  inactiveSince: daysAgo(days),
  deactivatedByKeysweep,
});

const active = (n: number, ageDays: number, lastUsedDaysAgo: number | null = 1) => ({
  accessKeyId: keyId(n),
  status: 'Active' as const,
  createDate: daysAgo(ageDays),
  lastUsedDate: lastUsedDaysAgo === null ? null : daysAgo(lastUsedDaysAgo),
});
const inactive = (n: number, ageDays: number, lastUsedDaysAgo: number | null = null) => ({
  ...active(n, ageDays, lastUsedDaysAgo),
  status: 'Inactive' as const,
});

describe('findStaleKeys over a mixed batch', () => {
  beforeEach(() => {
    account(
      {
        alice: { tags: { email: 'alice@example.com' }, keys: [active(1, 100), active(2, 10)] },
        bob: { tags: { email: 'not an address', 'keysweep:exempt': 'soon' }, keys: [active(3, 80)] },
        carol: { groups: ['developers', 'break-glass'], keys: [active(4, 200)] },
        dave: { keys: [inactive(5, 200), active(6, 50, null)] },
        frank: { tags: { email: 'frank@example.com' }, keys: [] },
      },
      ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'],
      { dave: [seenInactive(5, 185, true)] },
    );
  });

  it('returns the compact summary of the batch', async () => {
    await expect(findStaleKeys(event(6), deps())).resolves.toEqual({
      index: 3,
      usersRead: 5,
      usersGone: 1,
      keysSeen: 6,
      counts: { deactivate: 2, delete: 1, warn: 1, exempt: 1, none: 1 },
      plannedActions: 3,
    });
  });

  it('reads the users file of its batch and each user’s keys, tags, groups and last use', async () => {
    await findStaleKeys(event(6), deps());
    for (const userName of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
      expect(iamMock).toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName: userName });
    }
    for (const userName of ['alice', 'bob', 'carol', 'dave', 'frank']) {
      expect(iamMock).toHaveReceivedCommandWith(ListUserTagsCommand, { UserName: userName });
      expect(iamMock).toHaveReceivedCommandWith(ListGroupsForUserCommand, { UserName: userName });
    }
    expect(iamMock).toHaveReceivedCommandTimes(GetAccessKeyLastUsedCommand, 6);
    expect(iamMock).toHaveReceivedCommandWith(GetAccessKeyLastUsedCommand, { AccessKeyId: keyId(6) });
  });

  it('changes nothing in IAM', async () => {
    await findStaleKeys(event(6), deps());
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('writes every key with its decision to the decisions file', async () => {
    await findStaleKeys(event(6), deps());
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: BUCKET, Key: DECISIONS_KEY });
    const file = decisionsFileSchema.parse(bucket.json(DECISIONS_KEY));
    expect(file.batchIndex).toBe(3);
    expect(file.usersRead).toBe(5);
    expect(file.usersGone).toEqual(['erin']);
    expect(file.invalidExemptions).toEqual([{ userName: 'bob', value: 'soon' }]);
    expect(file.keys.map((k) => [k.userName, k.accessKeyId, k.action, k.rule])).toEqual([
      ['alice', keyId(1), 'deactivate', 'age'],
      ['alice', keyId(2), 'none', 'none'],
      ['bob', keyId(3), 'warn', 'age'],
      ['carol', keyId(4), 'exempt', 'age'],
      ['dave', keyId(5), 'delete', 'delete'],
      ['dave', keyId(6), 'deactivate', 'unused'],
    ]);
    expect(file.keys[0]).toEqual({
      userName: 'alice',
      accessKeyId: keyId(1),
      status: 'Active',
      createDate: daysAgo(100),
      lastUsedDate: daysAgo(1),
      lastUsedSource: 'iam',
      lastRotated: null,
      ageDays: 100,
      unusedDays: 1,
      action: 'deactivate',
      rule: 'age',
      reason: 'created 2026-08-20, 100 days ago; limit 90',
      deactivationDate: null,
      deletionDate: null,
      inactiveSince: null,
      deactivatedByKeysweep: false,
      exemption: null,
      ownerEmail: 'alice@example.com',
    });
    expect(file.keys[4]).toMatchObject({
      status: 'Inactive',
      inactiveSince: daysAgo(185),
      deactivatedByKeysweep: true,
      reason:
        'inactive, created 2026-05-12, 200 days ago; deactivated by keysweep since 2026-05-27 (185 days); delete limit 180 days inactive',
    });
    expect(file.keys[2]).toMatchObject({ deactivationDate: '2026-12-08', ownerEmail: null });
    expect(file.keys[3]?.exemption).toEqual({
      source: 'group',
      until: null,
      description: 'member of group break-glass',
    });
    expect(file.keys[5]).toMatchObject({ lastUsedDate: null, unusedDays: 50 });
  });

  it('writes only the planned changes to the actions file', async () => {
    await findStaleKeys(event(6), deps());
    expect(actionsFileSchema.parse(bucket.json(ACTIONS_KEY))).toEqual([
      { userName: 'alice', accessKeyId: keyId(1), action: 'deactivate', rule: 'age' },
      {
        userName: 'dave',
        accessKeyId: keyId(5),
        action: 'delete',
        rule: 'delete',
        inactiveSince: daysAgo(185),
      },
      { userName: 'dave', accessKeyId: keyId(6), action: 'deactivate', rule: 'unused' },
    ]);
  });
});

describe('findStaleKeys: deletion counts the days keysweep has seen a key inactive', () => {
  const decisionOf = (n: number) =>
    decisionsFileSchema.parse(bucket.json(DECISIONS_KEY)).keys.find((k) => k.accessKeyId === keyId(n));

  it('counts a key the index does not know as first seen inactive now, whatever its age', async () => {
    account({ dave: { keys: [inactive(5, 2000)] } });
    const summary = await findStaleKeys(event(1), deps());
    expect(summary).toMatchObject({ plannedActions: 0, counts: { none: 1, delete: 0 } });
    expect(decisionOf(5)).toMatchObject({ action: 'none', inactiveSince: testRun().startedAt });
  });

  it('warns before the deletion, with its date', async () => {
    account({ dave: { keys: [inactive(5, 400)] } }, ['dave'], { dave: [seenInactive(5, 170)] });
    await findStaleKeys(event(1), deps());
    expect(decisionOf(5)).toMatchObject({
      action: 'warn',
      rule: 'delete',
      deletionDate: '2026-12-08',
      deactivationDate: null,
      inactiveSince: daysAgo(170),
    });
  });

  it('starts the count over for a key used after the index saw it inactive', async () => {
    account({ dave: { keys: [inactive(5, 400, 3)] } }, ['dave'], { dave: [seenInactive(5, 200)] });
    const summary = await findStaleKeys(event(1), deps());
    expect(summary.plannedActions).toBe(0);
    expect(decisionOf(5)).toMatchObject({ action: 'none', inactiveSince: testRun().startedAt });
    expect(decisionOf(5)?.reason).toContain(
      'counted again: used 2026-11-25, after it was seen inactive on 2026-05-12',
    );
    // the last use was asked of IAM: for an inactive key it decides whether the count starts over
    expect(iamMock).toHaveReceivedCommandWith(GetAccessKeyLastUsedCommand, { AccessKeyId: keyId(5) });
  });

  it('plans no deletion while the run says deletion is paused, and says why', async () => {
    account({ dave: { keys: [inactive(5, 400)] } }, ['dave'], { dave: [seenInactive(5, 300)] });
    const paused = { ...event(1), run: testRun({ deletionPaused: 'the key index is unreadable' }) };
    const summary = await findStaleKeys(paused, deps());
    expect(summary).toMatchObject({ plannedActions: 0, counts: { none: 1 } });
    expect(decisionOf(5)?.reason).toContain('deletion paused: the key index is unreadable');
    expect(s3Mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Key: ACTIONS_KEY });
  });
});

describe('findStaleKeys edge cases', () => {
  it('does not read groups when no group is exempt', async () => {
    account({ alice: { groups: ['break-glass'], keys: [active(1, 100)] } });
    const summary = await findStaleKeys(event(1), deps({ exemptGroups: [] }));
    expect(iamMock).not.toHaveReceivedCommand(ListGroupsForUserCommand);
    expect(summary.counts.deactivate).toBe(1);
    expect(summary.counts.exempt).toBe(0);
  });

  it('writes no actions file when nothing needs a change', async () => {
    account({ alice: { keys: [active(1, 10), active(2, 80)] } });
    const summary = await findStaleKeys(event(1), deps());
    expect(summary).toMatchObject({ plannedActions: 0, keysSeen: 2, counts: { none: 1, warn: 1 } });
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: DECISIONS_KEY });
    expect(s3Mock).not.toHaveReceivedCommandWith(PutObjectCommand, { Key: ACTIONS_KEY });
  });

  it.each([
    ['listing its keys', 'ListAccessKeys' as const],
    ['reading its tags', 'ListUserTags' as const],
    ['reading its groups', 'ListGroupsForUser' as const],
  ])('lists a user that is gone when %s in usersGone', async (_name, operation) => {
    const iam = account({ alice: { keys: [active(1, 100)] }, bob: { keys: [active(2, 100)] } });
    iam.failNext(operation, noSuchEntity(), 'alice');
    const summary = await findStaleKeys(event(2), deps());
    expect(summary).toMatchObject({ usersRead: 1, usersGone: 1, keysSeen: 1, plannedActions: 1 });
    const file = decisionsFileSchema.parse(bucket.json(DECISIONS_KEY));
    expect(file.usersGone).toEqual(['alice']);
    expect(file.keys.map((k) => k.userName)).toEqual(['bob']);
  });

  it('drops a key deleted between listing and reading its last use, keeping the user', async () => {
    const iam = account({ alice: { keys: [active(1, 100), active(2, 100)] } });
    iam.failNext('GetAccessKeyLastUsed', noSuchEntity(), keyId(1));
    const summary = await findStaleKeys(event(1), deps());
    expect(summary).toMatchObject({ usersRead: 1, usersGone: 0, keysSeen: 1 });
    expect(actionsFileSchema.parse(bucket.json(ACTIONS_KEY))).toEqual([
      { userName: 'alice', accessKeyId: keyId(2), action: 'deactivate', rule: 'age' },
    ]);
  });

  const callsOf = {
    ListAccessKeys: () => iamMock.commandCalls(ListAccessKeysCommand).length,
    ListUserTags: () => iamMock.commandCalls(ListUserTagsCommand).length,
    GetAccessKeyLastUsed: () => iamMock.commandCalls(GetAccessKeyLastUsedCommand).length,
  };

  it.each([
    ['ListAccessKeys' as const, 'alice'],
    ['ListUserTags' as const, 'alice'],
    ['GetAccessKeyLastUsed' as const, keyId(1)],
  ])('retries a throttled %s', async (operation, subject) => {
    const iam = account({ alice: { keys: [active(1, 100)] } });
    iam.failNext(operation, throttlingError(), subject, 2);
    const summary = await findStaleKeys(event(1), deps());
    expect(summary).toMatchObject({ usersRead: 1, keysSeen: 1, plannedActions: 1 });
    expect(callsOf[operation]()).toBe(3);
  });

  it('fails the batch when throttling outlasts the retries', async () => {
    const iam = account({ alice: { keys: [active(1, 100)] } });
    iam.failNext('ListAccessKeys', throttlingError(), 'alice', noWaitRetry.attempts);
    await expect(findStaleKeys(event(1), deps())).rejects.toMatchObject({ name: 'Throttling' });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('fails the batch on any other IAM error, writing nothing', async () => {
    const iam = account({ alice: { keys: [active(1, 100)] } });
    iam.failNext('ListUserTags', Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(findStaleKeys(event(1), deps())).rejects.toThrow('not authorized');
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('fails when the users file is missing', async () => {
    new FakeIam().install(iamMock);
    await expect(findStaleKeys(event(1), deps())).rejects.toThrow(
      `s3://${BUCKET}/${USERS_KEY} does not exist`,
    );
  });

  it('judges keys at the run clock, not the wall clock', async () => {
    account({ alice: { keys: [active(1, 89.5)] } });
    const later = { ...event(1), run: testRun({ startedAt: '2026-11-29T08:00:00.000Z' }) };
    const summary = await findStaleKeys(later, deps());
    expect(summary.counts.deactivate).toBe(1);
  });

  it.each([
    ['no batch', { run: testRun() }, 'batch'],
    ['a negative batch index', { run: testRun(), batch: { index: -1, userCount: 1 } }, 'batch.index'],
    [
      'a run without a start',
      { run: { ...testRun(), startedAt: 'x' }, batch: { index: 0, userCount: 1 } },
      'run.startedAt',
    ],
  ])('rejects an event with %s', async (_name, bad, problem) => {
    const attempt = findStaleKeys(bad, deps());
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidEvent' });
    await expect(attempt).rejects.toThrow(`find-stale-keys received an event it cannot use: ${problem}`);
  });
});

describe('find-stale-keys handler', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('passes the event through the middy wrapper to findStaleKeys', async () => {
    account({ alice: { keys: [active(1, 100), active(2, 5)] } });
    const summary = await handler(event(1), fakeContext('keysweep-find-stale-keys'));
    expect(summary).toEqual({
      index: 3,
      usersRead: 1,
      usersGone: 0,
      keysSeen: 2,
      counts: { deactivate: 1, delete: 0, warn: 0, exempt: 0, none: 1 },
      plannedActions: 1,
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'keysweep-reports-test',
      Key: ACTIONS_KEY,
    });
    // the environment's configuration has no exempt groups
    expect(iamMock).not.toHaveReceivedCommand(ListGroupsForUserCommand);
  });
});
