import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  IAMClient,
  ListUsersCommand,
  type ListUsersCommandOutput,
  type User,
} from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/list-users/handler';
import { parseExecutionInput } from '../../../functions/list-users/execution-input';
import { BATCH_SIZE, listUsers, type ListUsersDeps } from '../../../functions/list-users/list-users';
import type { Mode } from '../../../functions/shared/config';
import { runSchema } from '../../../functions/shared/run';
import { FakeBucket, fakeContext, noWaitRetry, testConfig, throttlingError } from '../fixtures';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const BUCKET = 'reports-bucket';
const EXECUTION = {
  id: 'arn:aws:states:eu-west-1:123456789012:execution:keysweep-sweep:daily-2026-11-28',
  name: 'daily-2026-11-28',
  startTime: '2026-11-28T08:00:00.123Z',
};
const PREFIX = 'runs/2026-11-28/daily-2026-11-28/';

let bucket: FakeBucket;

beforeEach(() => {
  iamMock.reset();
  s3Mock.reset();
  bucket = new FakeBucket().install(s3Mock);
  // No credential report and no key index: every run here is a full scan of ListUsers.
  iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iamMock
    .on(GetCredentialReportCommand)
    .rejects(Object.assign(new Error('no report'), { name: 'CredentialReportNotPresentException' }));
});

function deps(configOverrides: Record<string, unknown> = {}): ListUsersDeps {
  return {
    iam: new IAMClient({}),
    s3: new S3Client({}),
    bucket: BUCKET,
    config: testConfig(configOverrides),
    version: '1.2.3+abc1234',
    retry: noWaitRetry,
    reportPolling: { maxPolls: 2, pollDelayMs: 0, sleep: () => Promise.resolve() },
  };
}

function names(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
}

function iamUser(userName: string): User {
  return {
    UserName: userName,
    Path: '/',
    UserId: `AIDA${userName}`,
    Arn: `arn:aws:iam::123456789012:user/${userName}`,
    CreateDate: new Date('2025-01-01T00:00:00Z'),
  };
}

/** ListUsers answered from pages keyed by the marker that asks for them ('' = first page). */
function serveUserPages(pages: Record<string, Partial<ListUsersCommandOutput> & { names: string[] }>): void {
  iamMock.on(ListUsersCommand).callsFake((input: { Marker?: string }) => {
    const page = pages[input.Marker ?? ''];
    if (page === undefined) throw new Error(`unexpected marker ${String(input.Marker)}`);
    const { names: pageNames, ...rest } = page;
    return { Users: pageNames.map(iamUser), ...rest };
  });
}

describe('listUsers: users and batches', () => {
  const page1 = names('a', 45);
  const page2 = names('b', 45);
  const page3 = names('c', 30);
  const all = [...page1, ...page2, ...page3];

  beforeEach(() =>
    serveUserPages({
      '': { names: page1, IsTruncated: true, Marker: 'marker-2' },
      'marker-2': { names: page2, IsTruncated: true, Marker: 'marker-3' },
      'marker-3': { names: page3, IsTruncated: false },
    }),
  );

  it('reads every page of ListUsers, passing each Marker on', async () => {
    await listUsers({ input: {}, execution: EXECUTION }, deps());
    expect(iamMock).toHaveReceivedCommandTimes(ListUsersCommand, 3);
    expect(iamMock).toHaveReceivedNthSpecificCommandWith(1, ListUsersCommand, {
      MaxItems: 1000,
      Marker: undefined,
    });
    expect(iamMock).toHaveReceivedNthSpecificCommandWith(2, ListUsersCommand, {
      MaxItems: 1000,
      Marker: 'marker-2',
    });
    expect(iamMock).toHaveReceivedNthSpecificCommandWith(3, ListUsersCommand, {
      MaxItems: 1000,
      Marker: 'marker-3',
    });
  });

  it('writes every user, in batches of 50, and returns only the descriptors', async () => {
    const result = await listUsers({ input: {}, execution: EXECUTION }, deps());

    expect(BATCH_SIZE).toBe(50);
    expect(result.batches).toEqual([
      { index: 0, userCount: 50 },
      { index: 1, userCount: 50 },
      { index: 2, userCount: 20 },
    ]);
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 3);
    for (const index of [0, 1, 2]) {
      const key = `${PREFIX}batches/000${index}-users.json`;
      expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
        Bucket: BUCKET,
        Key: key,
        ContentType: 'application/json',
      });
      expect(bucket.json(key)).toEqual({
        users: all.slice(index * 50, index * 50 + 50).map((userName) => ({ userName })),
      });
    }
    // the state carries no user names
    expect(JSON.stringify(result)).not.toContain(all[0]);
  });

  it('describes the run', async () => {
    const { run } = await listUsers({ input: {}, execution: EXECUTION }, deps());
    expect(run).toEqual({
      executionId: EXECUTION.id,
      executionName: EXECUTION.name,
      startedAt: '2026-11-28T08:00:00.123Z',
      mode: 'enforce',
      modeSource: 'config',
      prefix: PREFIX,
      batchCount: 3,
      discovery: {
        source: 'full-scan',
        reason: expect.any(String),
        usersInAccount: 120,
        usersToRead: 120,
        credentialReportGeneratedAt: null,
      },
      version: '1.2.3+abc1234',
      deletionPaused: null,
    });
  });

  it('says in the run that deletion is paused when deleteAfterDays is set and there is no key index', async () => {
    const { run } = await listUsers({ input: {}, execution: EXECUTION }, deps({ deleteAfterDays: 30 }));
    expect(run.deletionPaused).toMatch(
      /^first run: keysweep has no key index yet, so .*nothing is deleted this run/,
    );
    expect(runSchema.parse(run)).toEqual(run);
  });
});

describe('listUsers: IAM answers', () => {
  it('fails on a truncated page without a Marker instead of looping', async () => {
    serveUserPages({ '': { names: names('a', 3), IsTruncated: true } });
    await expect(listUsers({ input: {}, execution: EXECUTION }, deps())).rejects.toThrow(
      'IAM pagination of users did not advance (IsTruncated without a new Marker)',
    );
    expect(iamMock).toHaveReceivedCommandTimes(ListUsersCommand, 1);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('fails when IAM hands back the same Marker again', async () => {
    serveUserPages({
      '': { names: names('a', 2), IsTruncated: true, Marker: 'm' },
      m: { names: names('b', 2), IsTruncated: true, Marker: 'm' },
    });
    await expect(listUsers({ input: {}, execution: EXECUTION }, deps())).rejects.toThrow('did not advance');
    expect(iamMock).toHaveReceivedCommandTimes(ListUsersCommand, 2);
  });

  it('writes nothing for an account without users', async () => {
    serveUserPages({ '': { names: [], IsTruncated: false } });
    const result = await listUsers({ input: {}, execution: EXECUTION }, deps());
    expect(result.batches).toEqual([]);
    expect(result.run.batchCount).toBe(0);
    expect(result.run.discovery.usersInAccount).toBe(0);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('counts a user listed on two pages once', async () => {
    serveUserPages({
      '': { names: ['alice', 'bob'], IsTruncated: true, Marker: 'm' },
      m: { names: ['bob', 'carol'], IsTruncated: false },
    });
    const result = await listUsers({ input: {}, execution: EXECUTION }, deps());
    expect(result.run.discovery.usersInAccount).toBe(3);
    expect(bucket.json(`${PREFIX}batches/0000-users.json`)).toEqual({
      users: [{ userName: 'alice' }, { userName: 'bob' }, { userName: 'carol' }],
    });
  });

  it('retries a throttled ListUsers', async () => {
    iamMock
      .on(ListUsersCommand)
      .rejectsOnce(throttlingError())
      .rejectsOnce(throttlingError('ThrottlingException'))
      .resolves({ Users: [iamUser('alice')], IsTruncated: false });
    const result = await listUsers({ input: {}, execution: EXECUTION }, deps());
    expect(result.batches).toEqual([{ index: 0, userCount: 1 }]);
    expect(iamMock).toHaveReceivedCommandTimes(ListUsersCommand, 3);
  });

  it('fails on a user without a UserName', async () => {
    iamMock.on(ListUsersCommand).resolves({ Users: [{ ...iamUser('x'), UserName: undefined } as never] });
    await expect(listUsers({ input: {}, execution: EXECUTION }, deps())).rejects.toThrow(
      'IAM ListUsers returned a user without a UserName',
    );
  });
});

describe('listUsers: the run prefix', () => {
  beforeEach(() => serveUserPages({ '': { names: ['alice'] } }));

  it.each([
    ['2026-11-28T08:00:00Z', 'exec-1', 'runs/2026-11-28/exec-1/', '2026-11-28T08:00:00.000Z'],
    ['2026-11-28T00:00:00.000Z', 'a', 'runs/2026-11-28/a/', '2026-11-28T00:00:00.000Z'],
    ['2026-11-27T23:30:00-01:00', 'late', 'runs/2026-11-28/late/', '2026-11-28T00:30:00.000Z'],
    ['2026-11-28T01:00:00+02:00', 'early', 'runs/2026-11-27/early/', '2026-11-27T23:00:00.000Z'],
  ])('is runs/<UTC date>/<execution name>/ for a start at %s', async (startTime, name, prefix, startedAt) => {
    const { run } = await listUsers({ input: {}, execution: { ...EXECUTION, name, startTime } }, deps());
    expect(run.prefix).toBe(prefix);
    expect(run.startedAt).toBe(startedAt);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: `${prefix}batches/0000-users.json` });
  });
});

describe('listUsers: execution input', () => {
  beforeEach(() => serveUserPages({ '': { names: ['alice'] } }));

  it.each<[string, unknown, Mode, Mode, 'config' | 'input']>([
    ['{}', {}, 'enforce', 'enforce', 'config'],
    ['null', null, 'enforce', 'enforce', 'config'],
    ['absent', undefined, 'enforce', 'enforce', 'config'],
    ['{"mode":"report"}', { mode: 'report' }, 'enforce', 'report', 'input'],
    ['{"mode":"report"} when the config says report', { mode: 'report' }, 'report', 'report', 'config'],
    ['{"mode":"enforce"} when the config says enforce', { mode: 'enforce' }, 'enforce', 'enforce', 'config'],
    ['{} when the config says report', {}, 'report', 'report', 'config'],
    ['the console default Comment', { Comment: 'Insert your JSON here' }, 'enforce', 'enforce', 'config'],
    ['{"fullScan":true}', { fullScan: true }, 'enforce', 'enforce', 'config'],
    ['report with a Comment', { mode: 'report', Comment: 'trying it' }, 'enforce', 'report', 'input'],
  ])('accepts %s', async (_name, input, configMode, mode, modeSource) => {
    const { run } = await listUsers({ input, execution: EXECUTION }, deps({ mode: configMode }));
    expect(run.mode).toBe(mode);
    expect(run.modeSource).toBe(modeSource);
  });

  it('refuses {"mode":"enforce"} when the configuration says report, before reading IAM', async () => {
    const attempt = listUsers({ input: { mode: 'enforce' }, execution: EXECUTION }, deps({ mode: 'report' }));
    await expect(attempt).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
      message: expect.stringContaining('asks for mode "enforce" but the configuration says "report"'),
    });
    expect(iamMock).not.toHaveReceivedCommand(ListUsersCommand);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it.each<[string, unknown, string]>([
    ['a string', 'x', 'input: '],
    ['an array', [1], 'input: '],
    ['a number', 42, 'input: '],
    ['an unknown field', { foo: 1 }, 'unknown field "foo"'],
    ['two unknown fields', { foo: 1, dryRun: true }, 'unknown fields "foo", "dryRun"'],
    ['a mode that does not exist', { mode: 'dry-run' }, 'mode: '],
    ['a fullScan that is not a boolean', { fullScan: 'yes' }, 'fullScan: '],
    ['a Comment that is not a string', { Comment: 1 }, 'Comment: '],
  ])('rejects %s, naming the problem', async (_name, input, problem) => {
    const attempt = listUsers({ input, execution: EXECUTION }, deps());
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(attempt).rejects.toThrow(`Execution input ${JSON.stringify(input)} is not valid (`);
    await expect(attempt).rejects.toThrow(problem);
    await expect(attempt).rejects.toThrow('Start keysweep with {} (a normal run)');
    expect(iamMock).not.toHaveReceivedCommand(ListUsersCommand);
  });

  it('parses the fullScan request', () => {
    expect(parseExecutionInput({ fullScan: true }, 'enforce')).toEqual({
      mode: 'enforce',
      modeSource: 'config',
      fullScan: true,
    });
    expect(parseExecutionInput({}, 'enforce').fullScan).toBe(false);
  });
});

describe('listUsers: event shape', () => {
  it.each<[string, unknown, string]>([
    ['no event', null, '(event)'],
    ['no execution', { input: {} }, 'execution'],
    ['an execution without a name', { input: {}, execution: { ...EXECUTION, name: '' } }, 'execution.name'],
    [
      'an execution without an id',
      { input: {}, execution: { name: 'x', startTime: EXECUTION.startTime } },
      'execution.id',
    ],
    [
      'a start time that is not a date',
      { input: {}, execution: { ...EXECUTION, startTime: 'yesterday' } },
      'execution.startTime: must be a date-time',
    ],
  ])('rejects %s', async (_name, event, problem) => {
    const attempt = listUsers(event, deps());
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidEvent' });
    await expect(attempt).rejects.toThrow('list-users received an event it cannot use: ');
    await expect(attempt).rejects.toThrow(problem);
    expect(iamMock).not.toHaveReceivedCommand(ListUsersCommand);
  });
});

describe('list-users handler', () => {
  it('passes the event through the middy wrapper to listUsers', async () => {
    iamMock.on(ListUsersCommand).resolves({ Users: [iamUser('alice'), iamUser('bob')], IsTruncated: false });
    const result = await handler(
      { input: { mode: 'report' }, execution: EXECUTION },
      fakeContext('keysweep-list-users'),
    );
    expect(result.batches).toEqual([{ index: 0, userCount: 2 }]);
    expect(result.run).toMatchObject({
      mode: 'report',
      modeSource: 'input',
      prefix: PREFIX,
      version: '0.0.0-test',
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'keysweep-reports-test',
      Key: `${PREFIX}batches/0000-users.json`,
    });
  });

  it('lets an invalid input fail the invocation with its own error name', async () => {
    await expect(
      handler({ input: 'x', execution: EXECUTION }, fakeContext('keysweep-list-users')),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
  });
});
