import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { deactivateKey, type DeactivateKeyDeps } from '../../../functions/deactivate-key/deactivate-key';
import { handler } from '../../../functions/deactivate-key/handler';
import type { PlannedAction } from '../../../functions/shared/batch-files';
import type { Run } from '../../../functions/shared/run';
import {
  FakeIam,
  daysAgo,
  fakeContext,
  keyId,
  noSuchEntity,
  noWaitRetry,
  testConfig,
  testRun,
  throttlingError,
  type FakeKey,
} from '../fixtures';

const iamMock = mockClient(IAMClient);

beforeEach(() => iamMock.reset());

const POLICY = { unusedAfterDays: 45, deleteAfterDays: 180 };
const KEY = keyId(1);

function deps(configOverrides: Record<string, unknown> = POLICY): DeactivateKeyDeps {
  return { iam: new IAMClient({}), config: testConfig(configOverrides), retry: noWaitRetry };
}

function keyOf(ageDays: number, status: FakeKey['status'], lastUsedDaysAgo: number | null = 1): FakeKey {
  return {
    accessKeyId: KEY,
    status,
    createDate: daysAgo(ageDays),
    lastUsedDate: lastUsedDaysAgo === null ? null : daysAgo(lastUsedDaysAgo),
  };
}

/** Since when keysweep has seen a key to delete inactive, by the plan: exactly the delete limit (180 days). */
const SEEN_INACTIVE = daysAgo(180);

function planned(
  action: PlannedAction['action'],
  rule: PlannedAction['rule'],
  inactiveSince: string | undefined = action === 'delete' ? SEEN_INACTIVE : undefined,
): PlannedAction {
  return { userName: 'alice', accessKeyId: KEY, action, rule, ...(inactiveSince ? { inactiveSince } : {}) };
}

function event(key: PlannedAction, run: Partial<Run> = {}) {
  return { run: testRun(run), key };
}

/** alice with the given keys (and an unrelated second key), bob untouched. */
function iamWith(...keys: FakeKey[]): FakeIam {
  return new FakeIam({
    alice: {
      keys: [...keys, keyOf(5, 'Active')].map((k, i) =>
        i === keys.length ? { ...k, accessKeyId: keyId(99) } : k,
      ),
    },
  }).install(iamMock);
}

type Write = 'update' | 'delete' | null;

describe('deactivateKey re-checks the key, then acts', () => {
  it.each<[string, FakeKey[], PlannedAction, Record<string, unknown>, 'done' | 'skipped', string, Write]>([
    [
      'Active over-age key',
      [keyOf(100, 'Active')],
      planned('deactivate', 'age'),
      POLICY,
      'done',
      'deactivated',
      'update',
    ],
    [
      'Active key exactly at the limit',
      [keyOf(90, 'Active')],
      planned('deactivate', 'age'),
      POLICY,
      'done',
      'deactivated',
      'update',
    ],
    [
      'key already inactive',
      [keyOf(100, 'Inactive')],
      planned('deactivate', 'age'),
      POLICY,
      'skipped',
      'already inactive',
      null,
    ],
    ['key that is gone', [], planned('deactivate', 'age'), POLICY, 'skipped', 'key no longer exists', null],
    [
      'key no longer over the limit',
      [keyOf(80, 'Active')],
      planned('deactivate', 'age'),
      POLICY,
      'skipped',
      '80 days old, under the limit of 90',
      null,
    ],
    [
      'unused key used since it was planned',
      [keyOf(50, 'Active', 2)],
      planned('deactivate', 'unused'),
      POLICY,
      'skipped',
      'used since it was planned (2026-11-26)',
      null,
    ],
    [
      'unused key still never used',
      [keyOf(50, 'Active', null)],
      planned('deactivate', 'unused'),
      POLICY,
      'done',
      'deactivated',
      'update',
    ],
    [
      'unused key last used 46 days ago',
      [keyOf(60, 'Active', 46)],
      planned('deactivate', 'unused'),
      POLICY,
      'done',
      'deactivated',
      'update',
    ],
    [
      'unused key while unusedAfterDays is now off',
      [keyOf(50, 'Active', null)],
      planned('deactivate', 'unused'),
      { deleteAfterDays: 180 },
      'skipped',
      '50 days old, under the limit of 90',
      null,
    ],
    [
      'over-age key planned as unused but used since',
      [keyOf(100, 'Active', 1)],
      planned('deactivate', 'unused'),
      POLICY,
      'done',
      'deactivated',
      'update',
    ],
    [
      'Inactive key seen inactive for the delete limit, unused since',
      [keyOf(400, 'Inactive', 200)],
      planned('delete', 'delete'),
      POLICY,
      'done',
      'deleted',
      'delete',
    ],
    [
      'Inactive key young by creation but seen inactive for the delete limit (age does not count)',
      [keyOf(181, 'Inactive', null)],
      planned('delete', 'delete'),
      POLICY,
      'done',
      'deleted',
      'delete',
    ],
    [
      'key to delete that is active again',
      [keyOf(300, 'Active')],
      planned('delete', 'delete'),
      POLICY,
      'skipped',
      'active again since it was planned; not deleted',
      null,
    ],
    [
      'Inactive key seen inactive for less than the delete limit',
      [keyOf(400, 'Inactive', 200)],
      planned('delete', 'delete', daysAgo(179)),
      POLICY,
      'skipped',
      'seen inactive for 179 days, under the delete limit of 180; not deleted',
      null,
    ],
    [
      'Inactive key used after it was seen inactive (re-activated and deactivated again since)',
      [keyOf(400, 'Inactive', 2)],
      planned('delete', 'delete'),
      POLICY,
      'skipped',
      'used 2026-11-26, after it was seen inactive on 2026-06-01: re-activated since; not deleted',
      null,
    ],
    [
      'Inactive key used during the run that saw it inactive (before its deactivation)',
      [
        {
          ...keyOf(400, 'Inactive'),
          lastUsedDate: new Date(Date.parse(SEEN_INACTIVE) + 3_600_000).toISOString(),
        },
      ],
      planned('delete', 'delete'),
      POLICY,
      'done',
      'deleted',
      'delete',
    ],
    [
      'deletion planned without inactiveSince (a plan of an earlier version)',
      [keyOf(400, 'Inactive', 200)],
      { userName: 'alice', accessKeyId: KEY, action: 'delete', rule: 'delete' },
      POLICY,
      'skipped',
      'planned without the day it was first seen inactive; not deleted',
      null,
    ],
    [
      'Inactive key while deletion is off',
      [keyOf(400, 'Inactive', 200)],
      planned('delete', 'delete'),
      { unusedAfterDays: 45 },
      'skipped',
      'deletion is turned off (deleteAfterDays)',
      null,
    ],
    [
      'key to delete that is gone',
      [],
      planned('delete', 'delete'),
      POLICY,
      'skipped',
      'key no longer exists',
      null,
    ],
  ])('%s', async (_name, keys, key, config, result, detail, write) => {
    iamWith(...keys);
    await expect(deactivateKey(event(key), deps(config))).resolves.toEqual({
      userName: 'alice',
      accessKeyId: KEY,
      action: key.action,
      result,
      detail,
    });
    expect(iamMock).toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName: 'alice' });
    if (write === 'update') {
      expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 1);
      expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, {
        UserName: 'alice',
        AccessKeyId: KEY,
        Status: 'Inactive',
      });
    } else {
      expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    }
    if (write === 'delete') {
      expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 1);
      expect(iamMock).toHaveReceivedCommandWith(DeleteAccessKeyCommand, {
        UserName: 'alice',
        AccessKeyId: KEY,
      });
    } else {
      expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
    }
  });

  // Regression: when the unused limit was raised between planning and acting (a redeploy during a run),
  // a never-used key is skipped with "used since it was planned (undefined)": it was not used,
  // and lastUsed is null. The skip is right; the detail is wrong.
  it('says why a never-used key is skipped once the unused limit went up', async () => {
    iamWith(keyOf(50, 'Active', null));
    const result = await deactivateKey(event(planned('deactivate', 'unused')), deps({ unusedAfterDays: 60 }));
    expect(result.result).toBe('skipped');
    expect(result.detail).not.toContain('undefined');
    expect(result.detail).not.toContain('used since');
  });

  it('re-reads the last use of a key to delete, and deletes nothing when the read fails', async () => {
    iamWith(keyOf(400, 'Inactive', 200)).failNext(
      'GetAccessKeyLastUsed',
      Object.assign(new Error('not authorized to perform: iam:GetAccessKeyLastUsed'), {
        name: 'AccessDenied',
      }),
    );
    await expect(deactivateKey(event(planned('delete', 'delete')), deps())).resolves.toMatchObject({
      result: 'failed',
      error: 'AccessDenied: not authorized to perform: iam:GetAccessKeyLastUsed',
    });
    expect(iamMock).toHaveReceivedCommandWith(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY });
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it('re-reads the last use only for the unused rule under the age limit', async () => {
    iamWith(keyOf(100, 'Active'));
    await deactivateKey(event(planned('deactivate', 'age')), deps());
    expect(iamMock).not.toHaveReceivedCommand(GetAccessKeyLastUsedCommand);

    iamMock.reset();
    iamWith(keyOf(50, 'Active', 2));
    await deactivateKey(event(planned('deactivate', 'unused')), deps());
    expect(iamMock).toHaveReceivedCommandWith(GetAccessKeyLastUsedCommand, { AccessKeyId: KEY });
  });

  it('changes only the planned key', async () => {
    const iam = iamWith(keyOf(100, 'Active'));
    await deactivateKey(event(planned('deactivate', 'age')), deps());
    expect(iam.users.get('alice')?.keys.map((k) => [k.accessKeyId, k.status])).toEqual([
      [KEY, 'Inactive'],
      [keyId(99), 'Active'],
    ]);
  });

  it('skips a user that is gone', async () => {
    new FakeIam({}).install(iamMock);
    await expect(deactivateKey(event(planned('deactivate', 'age')), deps())).resolves.toMatchObject({
      result: 'skipped',
      detail: 'user or key no longer exists',
    });
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it.each([
    ['UpdateAccessKey' as const, planned('deactivate', 'age'), keyOf(100, 'Active')],
    ['DeleteAccessKey' as const, planned('delete', 'delete'), keyOf(200, 'Inactive', 190)],
  ])('skips a key that disappears right before %s', async (operation, key, current) => {
    iamWith(current).failNext(operation, noSuchEntity());
    await expect(deactivateKey(event(key), deps())).resolves.toMatchObject({
      result: 'skipped',
      detail: 'user or key no longer exists',
    });
  });

  it('retries a throttled UpdateAccessKey', async () => {
    iamWith(keyOf(100, 'Active')).failNext('UpdateAccessKey', throttlingError(), undefined, 2);
    await expect(deactivateKey(event(planned('deactivate', 'age')), deps())).resolves.toMatchObject({
      result: 'done',
    });
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 3);
  });

  it('retries a throttled ListAccessKeys', async () => {
    iamWith(keyOf(100, 'Active')).failNext('ListAccessKeys', throttlingError('ThrottlingException'));
    await expect(deactivateKey(event(planned('deactivate', 'age')), deps())).resolves.toMatchObject({
      result: 'done',
    });
    expect(iamMock).toHaveReceivedCommandTimes(ListAccessKeysCommand, 2);
  });

  it.each([
    [
      'UpdateAccessKey' as const,
      planned('deactivate', 'age'),
      keyOf(100, 'Active'),
      'AccessDenied',
      'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: iam:UpdateAccessKey',
    ],
    [
      'DeleteAccessKey' as const,
      planned('delete', 'delete'),
      keyOf(200, 'Inactive', 190),
      'LimitExceeded',
      'Too many',
    ],
    [
      'ListAccessKeys' as const,
      planned('deactivate', 'age'),
      keyOf(100, 'Active'),
      'ServiceFailure',
      'Internal error',
    ],
  ])(
    'records any other error of %s as failed, with its name and message',
    async (operation, key, current, name, message) => {
      iamWith(current).failNext(operation, Object.assign(new Error(message), { name }));
      await expect(deactivateKey(event(key), deps())).resolves.toEqual({
        userName: 'alice',
        accessKeyId: KEY,
        action: key.action,
        result: 'failed',
        error: `${name}: ${message}`,
      });
    },
  );

  it('keeps a failure text on one line, without quotes or backslashes, at most 500 characters', async () => {
    const message = `Key "${KEY}" failed:\n\tsee C:\\logs ${'x'.repeat(600)}`;
    iamWith(keyOf(100, 'Active')).failNext(
      'UpdateAccessKey',
      Object.assign(new Error(message), { name: 'Weird' }),
    );
    const result = await deactivateKey(event(planned('deactivate', 'age')), deps());
    expect(result.result).toBe('failed');
    expect(result.error).toHaveLength(500);
    expect(result.error).toMatch(/^Weird: Key 'AKIATEST[A-Z0-9]{12}' failed: see C:'logs xxx/);
    expect(result.error).not.toMatch(/["\\\n\t]/);
  });

  it('lets throttling that outlasts the retries fail the invocation (Step Functions retries it)', async () => {
    iamWith(keyOf(100, 'Active')).failNext(
      'UpdateAccessKey',
      throttlingError(),
      undefined,
      noWaitRetry.attempts,
    );
    await expect(deactivateKey(event(planned('deactivate', 'age')), deps())).rejects.toMatchObject({
      name: 'Throttling',
    });
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, noWaitRetry.attempts);
  });
});

describe('deactivateKey re-reads the exemption right before acting', () => {
  /** alice, with the given tags and groups now (after the plan was made). */
  function aliceNow(key: FakeKey, tags: Record<string, string>, groups: string[] = []): FakeIam {
    const iam = iamWith(key);
    const alice = iam.users.get('alice');
    if (alice === undefined) throw new Error('no alice');
    alice.tags = tags;
    alice.groups = groups;
    return iam;
  }
  const GROUPS = { ...POLICY, exemptGroups: ['break-glass'] };

  it.each<
    [string, FakeKey, PlannedAction, Record<string, string>, string[], Record<string, unknown>, string]
  >([
    [
      'tagged exempt for good',
      keyOf(100, 'Active'),
      planned('deactivate', 'age'),
      { 'keysweep:exempt': 'always' },
      [],
      POLICY,
      'exempt since it was planned (tag keysweep:exempt = always); not deactivated',
    ],
    [
      'tagged exempt through a date',
      keyOf(50, 'Active', null),
      planned('deactivate', 'unused'),
      { 'keysweep:exempt': '2026-12-31' },
      [],
      POLICY,
      'exempt since it was planned through 2026-12-31 (tag keysweep:exempt = 2026-12-31); not deactivated',
    ],
    [
      'added to an exempt group',
      keyOf(100, 'Active'),
      planned('deactivate', 'age'),
      {},
      ['developers', 'break-glass'],
      GROUPS,
      'exempt since it was planned (member of group break-glass); not deactivated',
    ],
    [
      'tagged exempt, with a key to delete',
      keyOf(400, 'Inactive', 200),
      planned('delete', 'delete'),
      { 'keysweep:exempt': 'always' },
      [],
      POLICY,
      'exempt since it was planned (tag keysweep:exempt = always); not deleted',
    ],
  ])('skips a user %s since the plan', async (_name, key, action, tags, groups, config, detail) => {
    aliceNow(key, tags, groups);
    await expect(deactivateKey(event(action), deps(config))).resolves.toEqual({
      userName: 'alice',
      accessKeyId: KEY,
      action: action.action,
      result: 'skipped',
      detail,
    });
    expect(iamMock).toHaveReceivedCommandWith(ListUserTagsCommand, { UserName: 'alice' });
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it.each<[string, Record<string, string>, string[], Record<string, unknown>]>([
    ['an expired exemption tag', { 'keysweep:exempt': '2026-11-27' }, [], POLICY],
    ['an invalid exemption tag', { 'keysweep:exempt': 'until the migration' }, [], POLICY],
    ['membership of a group that exempts nothing', {}, ['break-glass'], POLICY],
  ])('acts on a user with %s', async (_name, tags, groups, config) => {
    aliceNow(keyOf(100, 'Active'), tags, groups);
    await expect(deactivateKey(event(planned('deactivate', 'age')), deps(config))).resolves.toMatchObject({
      result: 'done',
      detail: 'deactivated',
    });
  });

  it('reads group membership only when some group exempts', async () => {
    aliceNow(keyOf(100, 'Active'), {});
    await deactivateKey(event(planned('deactivate', 'age')), deps());
    expect(iamMock).not.toHaveReceivedCommand(ListGroupsForUserCommand);
    iamMock.reset();
    aliceNow(keyOf(100, 'Active'), {});
    await deactivateKey(event(planned('deactivate', 'age')), deps(GROUPS));
    expect(iamMock).toHaveReceivedCommandWith(ListGroupsForUserCommand, { UserName: 'alice' });
  });

  it('changes nothing when the exemption cannot be read, and records why', async () => {
    aliceNow(keyOf(100, 'Active'), {}).failNext(
      'ListUserTags',
      Object.assign(new Error('not authorized to perform: iam:ListUserTags'), { name: 'AccessDenied' }),
    );
    await expect(deactivateKey(event(planned('deactivate', 'age')), deps())).resolves.toMatchObject({
      result: 'failed',
      error: 'AccessDenied: not authorized to perform: iam:ListUserTags',
    });
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });

  it('still records a key an earlier attempt changed as done, exempt or not (the change was made)', async () => {
    aliceNow(keyOf(100, 'Inactive'), { 'keysweep:exempt': 'always' });
    await expect(
      deactivateKey({ ...event(planned('deactivate', 'age')), retryCount: 1 }, deps()),
    ).resolves.toMatchObject({ result: 'done' });
  });
});

describe('deactivateKey on a retry of the step (Step Functions passes retryCount)', () => {
  const retried = (key: PlannedAction, retryCount: number) => ({ ...event(key), retryCount });

  it.each<[string, FakeKey[], PlannedAction, string]>([
    [
      'a key to deactivate found inactive',
      [keyOf(100, 'Inactive')],
      planned('deactivate', 'age'),
      'deactivated (inactive on retry 1 of this step: an earlier attempt of this step deactivated it)',
    ],
    [
      'a key to delete found gone',
      [],
      planned('delete', 'delete'),
      'deleted (gone on retry 1 of this step: an earlier attempt of this step deleted it)',
    ],
  ])('records %s as done by the earlier attempt, and writes nothing', async (_name, keys, key, detail) => {
    iamWith(...keys);
    await expect(deactivateKey(retried(key, 1), deps())).resolves.toEqual({
      userName: 'alice',
      accessKeyId: KEY,
      action: key.action,
      result: 'done',
      detail,
    });
    expect(iamMock).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });

  it.each<[string, FakeKey[], PlannedAction, string]>([
    ['a key to deactivate found gone', [], planned('deactivate', 'age'), 'key no longer exists'],
    [
      'a key to delete found active again',
      [keyOf(300, 'Active')],
      planned('delete', 'delete'),
      'active again since it was planned; not deleted',
    ],
  ])('still skips %s: no earlier attempt did that', async (_name, keys, key, detail) => {
    iamWith(...keys);
    await expect(deactivateKey(retried(key, 2), deps())).resolves.toMatchObject({
      result: 'skipped',
      detail,
    });
  });

  it('acts as on a first attempt when the earlier attempt failed before its write', async () => {
    iamWith(keyOf(100, 'Active'));
    await expect(deactivateKey(retried(planned('deactivate', 'age'), 1), deps())).resolves.toMatchObject({
      result: 'done',
      detail: 'deactivated',
    });
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 1);
  });

  it('keeps skipping a key found inactive on the first attempt (retryCount 0, or absent)', async () => {
    iamWith(keyOf(100, 'Inactive'));
    for (const e of [retried(planned('deactivate', 'age'), 0), event(planned('deactivate', 'age'))]) {
      await expect(deactivateKey(e, deps())).resolves.toMatchObject({
        result: 'skipped',
        detail: 'already inactive',
      });
    }
  });

  it.each([-1, 1.5, '1'])('rejects a retryCount of %j', async (retryCount) => {
    await expect(
      deactivateKey({ ...event(planned('deactivate', 'age')), retryCount }, deps()),
    ).rejects.toMatchObject({ name: 'InvalidEvent' });
    expect(iamMock.calls()).toHaveLength(0);
  });
});

describe('deactivateKey when a write timed out but went through', () => {
  const timeout = () =>
    Object.assign(new Error('a request has exceeded the requestTimeout'), { name: 'TimeoutError' });

  it('retries a timed-out UpdateAccessKey (setting Inactive twice is harmless)', async () => {
    iamWith(keyOf(100, 'Active')).failNext('UpdateAccessKey', timeout());
    await expect(deactivateKey(event(planned('deactivate', 'age')), deps())).resolves.toMatchObject({
      result: 'done',
      detail: 'deactivated',
    });
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 2);
  });

  it('records a DeleteAccessKey whose retry finds the key gone as done by the first request', async () => {
    const iam = iamWith(keyOf(200, 'Inactive', 190));
    let requests = 0;
    iamMock.on(DeleteAccessKeyCommand).callsFake(() => {
      requests++;
      const alice = iam.users.get('alice');
      if (alice && requests === 1) {
        alice.keys = alice.keys.filter((k) => k.accessKeyId !== KEY);
        throw timeout();
      }
      throw noSuchEntity(`The Access Key with id ${KEY} cannot be found.`);
    });
    await expect(deactivateKey(event(planned('delete', 'delete')), deps())).resolves.toMatchObject({
      result: 'done',
      detail: 'deleted (an earlier request of this attempt went through)',
    });
    expect(requests).toBe(2);
  });
});

describe('deactivateKey in report mode', () => {
  it.each<[string, Partial<Run>, Record<string, unknown>]>([
    ['the run is in report mode', { mode: 'report', modeSource: 'input' }, POLICY],
    ['the configuration is in report mode', { mode: 'enforce' }, { ...POLICY, mode: 'report' }],
  ])('is a dry run with no IAM call at all when %s', async (_name, run, config) => {
    iamWith(keyOf(100, 'Active'));
    for (const key of [
      planned('deactivate', 'age'),
      planned('deactivate', 'unused'),
      planned('delete', 'delete'),
    ]) {
      await expect(deactivateKey(event(key, run), deps(config))).resolves.toEqual({
        userName: 'alice',
        accessKeyId: KEY,
        action: key.action,
        result: 'dry-run',
        detail: 'report mode: nothing changed',
      });
    }
    expect(iamMock.calls()).toHaveLength(0);
  });
});

describe('deactivateKey is idempotent', () => {
  it('deactivates once, then finds the key already inactive', async () => {
    iamWith(keyOf(100, 'Active'));
    const first = await deactivateKey(event(planned('deactivate', 'age')), deps());
    const second = await deactivateKey(event(planned('deactivate', 'age')), deps());
    expect(first).toMatchObject({ result: 'done', detail: 'deactivated' });
    expect(second).toMatchObject({ result: 'skipped', detail: 'already inactive' });
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 1);
  });

  it('deletes once, then finds the key gone', async () => {
    iamWith(keyOf(200, 'Inactive', 190));
    const first = await deactivateKey(event(planned('delete', 'delete')), deps());
    const second = await deactivateKey(event(planned('delete', 'delete')), deps());
    expect(first).toMatchObject({ result: 'done', detail: 'deleted' });
    expect(second).toMatchObject({ result: 'skipped', detail: 'key no longer exists' });
    expect(iamMock).toHaveReceivedCommandTimes(DeleteAccessKeyCommand, 1);
  });
});

describe('deactivateKey event', () => {
  it.each<[string, unknown, string]>([
    [
      'a warn action',
      { run: testRun(), key: { ...planned('deactivate', 'age'), action: 'warn' } },
      'key.action',
    ],
    [
      'a rule of none',
      { run: testRun(), key: { ...planned('deactivate', 'age'), rule: 'none' } },
      'key.rule',
    ],
    [
      'no key ID',
      { run: testRun(), key: { ...planned('deactivate', 'age'), accessKeyId: '' } },
      'key.accessKeyId',
    ],
    ['no run', { key: planned('deactivate', 'age') }, 'run'],
  ])('rejects %s without calling IAM', async (_name, bad, problem) => {
    const attempt = deactivateKey(bad, deps());
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidEvent' });
    await expect(attempt).rejects.toThrow(`deactivate-key received an event it cannot use: ${problem}`);
    expect(iamMock.calls()).toHaveLength(0);
  });
});

describe('deactivate-key handler', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('passes the event through the middy wrapper to deactivateKey', async () => {
    iamWith(keyOf(100, 'Active'));
    await expect(
      handler(event(planned('deactivate', 'age')), fakeContext('keysweep-deactivate-key')),
    ).resolves.toEqual({
      userName: 'alice',
      accessKeyId: KEY,
      action: 'deactivate',
      result: 'done',
      detail: 'deactivated',
    });
    expect(iamMock).toHaveReceivedCommandWith(UpdateAccessKeyCommand, {
      AccessKeyId: KEY,
      Status: 'Inactive',
    });
  });

  it("retries a throttled call only while the invocation's time left covers it (then Step Functions retries)", async () => {
    const context = (left: number) => ({
      ...fakeContext('keysweep-deactivate-key'),
      getRemainingTimeInMillis: () => left,
    });
    iamWith(keyOf(100, 'Active')).failNext('UpdateAccessKey', throttlingError());
    await expect(handler(event(planned('deactivate', 'age')), context(25_000))).resolves.toMatchObject({
      result: 'done',
    });
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 2);

    iamMock.reset();
    iamWith(keyOf(100, 'Active')).failNext('UpdateAccessKey', throttlingError());
    await expect(handler(event(planned('deactivate', 'age')), context(10_000))).rejects.toMatchObject({
      name: 'Throttling',
    });
    expect(iamMock).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 1);
  });

  it('uses the configuration of the environment (deletion off by default)', async () => {
    iamWith(keyOf(400, 'Inactive'));
    await expect(
      handler(event(planned('delete', 'delete')), fakeContext('keysweep-deactivate-key')),
    ).resolves.toMatchObject({ result: 'skipped', detail: 'deletion is turned off (deleteAfterDays)' });
    expect(iamMock).not.toHaveReceivedCommand(DeleteAccessKeyCommand);
  });
});
