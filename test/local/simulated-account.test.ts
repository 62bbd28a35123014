import {
  CredentialReportExpiredException,
  CredentialReportNotPresentException,
  CredentialReportNotReadyException,
  DeleteAccessKeyCommand,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetCredentialReportCommand,
  IAMClient,
  LimitExceededException,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListRolesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  NoSuchEntityException,
  ServiceFailureException,
  UpdateAccessKeyCommand,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import {
  CREDENTIAL_REPORT_HEADER,
  SimulatedAccount,
  type AccountFile,
  type AccountUser,
  type CredentialReportFailure,
  type Faults,
  type MalformedReportRow,
} from '../../local/simulated-account';
import { parseCsvLine } from '../../functions/list-users/credential-report-csv';

const NOW = new Date('2026-11-28T08:00:00Z');
const HOUR = 3_600_000;

// Module-scope clients, created before any install(), as the handlers create theirs.
const iam = new IAMClient({});
const s3 = new S3Client({});
const ses = new SESClient({});

let account: SimulatedAccount;
afterEach(() => account?.uninstall());

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function start(file: AccountFile, faults?: Faults, listUsersPageSize?: number): SimulatedAccount {
  account = new SimulatedAccount(file, {
    now: NOW,
    ...(faults ? { faults } : {}),
    ...(listUsersPageSize ? { listUsersPageSize } : {}),
  }).install();
  return account;
}

function manyUsers(count: number): AccountUser[] {
  // Inserted in reverse order: ListUsers must sort them.
  return Array.from({ length: count }, (_, i) => ({ userName: `u${String(count - i).padStart(5, '0')}` }));
}

const demo: AccountFile = {
  now: '2026-11-28T08:00:00Z',
  ses: { verifiedIdentities: ['example.com'], sandbox: false },
  users: [
    {
      userName: 'alice',
      createDate: '2025-01-01T00:00:00Z',
      tags: { email: 'alice@example.com', team: 'core' },
      groups: ['developers', 'oncall'],
      accessKeys: [
        {
          accessKeyId: 'AKIAALICE00000000001',
          status: 'Active',
          createDate: '2026-05-01T10:00:00Z',
          lastUsedDate: '2026-11-20T09:00:00Z',
        },
        { accessKeyId: 'AKIAALICE00000000002', status: 'Inactive', createDate: '2026-02-01T10:00:00Z' },
      ],
    },
    {
      userName: 'bob',
      accessKeys: [
        { accessKeyId: 'AKIABOB0000000000001', status: 'Active', createDate: '2024-03-01T00:00:00Z' },
      ],
    },
    { userName: 'carol' },
  ],
};

async function expectNoSuchEntity(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(NoSuchEntityException);
  await expect(promise).rejects.toMatchObject({ name: 'NoSuchEntityException', $fault: 'client' });
}

async function reportRows(): Promise<string[][]> {
  const out = await iam.send(new GetCredentialReportCommand({}));
  expect(out.ReportFormat).toBe('text/csv');
  expect(out.Content).toBeInstanceOf(Uint8Array);
  return new TextDecoder()
    .decode(out.Content)
    .split('\n')
    .map((line) => line.split(','));
}

function column(rows: string[][], userName: string, name: string): string | undefined {
  const header = rows[0]!;
  const row = rows.find((r) => r[0] === userName);
  return row?.[header.indexOf(name)];
}

async function generateUntilComplete(): Promise<string[]> {
  const states: string[] = [];
  for (let i = 0; i < 20; i++) {
    const { State } = await iam.send(new GenerateCredentialReportCommand({}));
    states.push(String(State));
    if (State === 'COMPLETE') return states;
  }
  throw new Error(`never completed: ${states.join(' ')}`);
}

describe('SimulatedAccount: ListUsers', () => {
  it('paginates 2,500 users with MaxItems 1000 and a 100-user page cap: each user once, in order', async () => {
    start({ users: manyUsers(2500) }, undefined, 100);
    const seen: string[] = [];
    let marker: string | undefined;
    let calls = 0;
    do {
      const page = await iam.send(new ListUsersCommand({ MaxItems: 1000, Marker: marker }));
      calls++;
      expect(page.Users!.length).toBeLessThanOrEqual(100);
      seen.push(...page.Users!.map((u) => u.UserName!));
      marker = page.IsTruncated ? page.Marker : undefined;
      if (page.IsTruncated) expect(page.Marker).toEqual(expect.any(String));
      else expect(page.Marker).toBeUndefined();
    } while (marker);
    expect(calls).toBe(25);
    expect(account.callCounts()['IAM.ListUsers']).toBe(25);
    expect(seen).toHaveLength(2500);
    expect(new Set(seen).size).toBe(2500);
    expect(seen).toEqual([...seen].sort());
    expect(seen[0]).toBe('u00001');
  });

  it('honours a MaxItems below the page cap, defaults to 100, and works with the SDK paginator', async () => {
    start({ users: manyUsers(250) }, undefined, 1000);
    const first = await iam.send(new ListUsersCommand({ MaxItems: 30 }));
    expect(first.Users).toHaveLength(30);
    expect((await iam.send(new ListUsersCommand({}))).Users).toHaveLength(100);
    const names: string[] = [];
    for await (const page of paginateListUsers({ client: iam, pageSize: 70 }, {})) {
      names.push(...page.Users!.map((u) => u.UserName!));
    }
    expect(names).toHaveLength(250);
    expect(new Set(names).size).toBe(250);
  });

  it('keeps going after the user its marker points at was deleted', async () => {
    start({ users: manyUsers(5) }, undefined, 2);
    const first = await iam.send(new ListUsersCommand({ MaxItems: 2 }));
    expect(first.Users!.map((u) => u.UserName)).toEqual(['u00001', 'u00002']);
    account.deleteUser('u00002');
    account.deleteUser('u00003');
    const second = await iam.send(new ListUsersCommand({ MaxItems: 2, Marker: first.Marker }));
    expect(second.Users!.map((u) => u.UserName)).toEqual(['u00004', 'u00005']);
    expect(second.IsTruncated).toBe(false);
  });

  it('rejects MaxItems outside 1..1000 and a forged marker with ValidationError', async () => {
    start(demo);
    await expect(iam.send(new ListUsersCommand({ MaxItems: 0 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(iam.send(new ListUsersCommand({ MaxItems: 1001 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(iam.send(new ListUsersCommand({ Marker: 'garbage' }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('describes each user like IAM', async () => {
    start(demo);
    const { Users } = await iam.send(new ListUsersCommand({}));
    expect(Users!.map((u) => u.UserName)).toEqual(['alice', 'bob', 'carol']);
    const [alice, bob, carol] = Users!;
    expect(alice).toEqual({
      Path: '/',
      UserName: 'alice',
      UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/),
      Arn: 'arn:aws:iam::123456789012:user/alice',
      CreateDate: new Date('2025-01-01T00:00:00Z'),
    });
    expect(bob!.CreateDate).toEqual(new Date('2024-03-01T00:00:00Z')); // its earliest key
    expect(carol!.CreateDate).toEqual(new Date('2020-01-01T00:00:00Z')); // no dates at all
    expect(alice!.UserId).not.toBe(bob!.UserId);
  });
});

describe('SimulatedAccount: keys, tags, groups', () => {
  it('lists keys, tags and groups', async () => {
    start(demo);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(keys.IsTruncated).toBe(false);
    expect(keys.AccessKeyMetadata).toEqual([
      {
        UserName: 'alice',
        AccessKeyId: 'AKIAALICE00000000001',
        Status: 'Active',
        CreateDate: new Date('2026-05-01T10:00:00Z'),
      },
      {
        UserName: 'alice',
        AccessKeyId: 'AKIAALICE00000000002',
        Status: 'Inactive',
        CreateDate: new Date('2026-02-01T10:00:00Z'),
      },
    ]);
    const page1 = await iam.send(new ListAccessKeysCommand({ UserName: 'alice', MaxItems: 1 }));
    expect(page1.IsTruncated).toBe(true);
    const page2 = await iam.send(
      new ListAccessKeysCommand({ UserName: 'alice', MaxItems: 1, Marker: page1.Marker }),
    );
    expect(page2.IsTruncated).toBe(false);
    expect([...page1.AccessKeyMetadata!, ...page2.AccessKeyMetadata!].map((k) => k.AccessKeyId)).toEqual([
      'AKIAALICE00000000001',
      'AKIAALICE00000000002',
    ]);
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'carol' }))).AccessKeyMetadata).toEqual([]);

    const tags = await iam.send(new ListUserTagsCommand({ UserName: 'alice' }));
    expect(tags).toMatchObject({
      Tags: [
        { Key: 'email', Value: 'alice@example.com' },
        { Key: 'team', Value: 'core' },
      ],
      IsTruncated: false,
    });
    expect((await iam.send(new ListUserTagsCommand({ UserName: 'bob' }))).Tags).toEqual([]);

    const groups = await iam.send(new ListGroupsForUserCommand({ UserName: 'alice' }));
    expect(groups.Groups!.map((g) => g.GroupName)).toEqual(['developers', 'oncall']);
    expect(groups.Groups![0]).toMatchObject({
      Path: '/',
      GroupId: expect.stringMatching(/^AGPA[A-Z2-7]{17}$/),
      Arn: 'arn:aws:iam::123456789012:group/developers',
      CreateDate: expect.any(Date),
    });
  });

  it('reports last use, and N/A for a key never used', async () => {
    start(demo);
    expect(
      await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAALICE00000000001' })),
    ).toMatchObject({
      UserName: 'alice',
      AccessKeyLastUsed: {
        LastUsedDate: new Date('2026-11-20T09:00:00Z'),
        ServiceName: 's3',
        Region: 'us-east-1',
      },
    });
    const never = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIABOB0000000000001' }));
    expect(never.AccessKeyLastUsed).toEqual({ ServiceName: 'N/A', Region: 'N/A' });
    await expectNoSuchEntity(
      iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAUNKNOWN000000000' })),
    );
  });

  it('answers NoSuchEntity for a deleted user on every per-user call', async () => {
    start(demo);
    expect(account.hasUser('alice')).toBe(true);
    account.deleteUser('alice');
    expect(account.hasUser('alice')).toBe(false);
    account.deleteUser('alice'); // already gone: no-op
    await expectNoSuchEntity(iam.send(new ListAccessKeysCommand({ UserName: 'alice' })));
    await expectNoSuchEntity(iam.send(new ListUserTagsCommand({ UserName: 'alice' })));
    await expectNoSuchEntity(iam.send(new ListGroupsForUserCommand({ UserName: 'alice' })));
    await expectNoSuchEntity(
      iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAALICE00000000001' })),
    );
    await expectNoSuchEntity(
      iam.send(
        new UpdateAccessKeyCommand({
          UserName: 'alice',
          AccessKeyId: 'AKIAALICE00000000001',
          Status: 'Inactive',
        }),
      ),
    );
    await expectNoSuchEntity(
      iam.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001' })),
    );
    expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual([
      'bob',
      'carol',
    ]);
    expect(account.toAccountFile().users.map((u) => u.userName)).toEqual(['bob', 'carol']);
    expect(account.calls.filter((c) => c.outcome === 'error')).toHaveLength(6);
    expect(account.calls[0]).toMatchObject({
      service: 'IAM',
      outcome: 'error',
      error: 'NoSuchEntityException',
    });
  });

  it('deletes a user mid-run from the beforeCall hook', async () => {
    const hook = jest.fn(
      (call: { operation: string; input: Record<string, unknown> }, acc: SimulatedAccount) => {
        if (call.operation === 'ListUserTags' && call.input.UserName === 'bob') acc.deleteUser('bob');
      },
    );
    start(demo, { beforeCall: hook });
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'bob' }))).AccessKeyMetadata).toHaveLength(
      1,
    );
    await expectNoSuchEntity(iam.send(new ListUserTagsCommand({ UserName: 'bob' })));
    expect(hook).toHaveBeenCalledTimes(2);
    expect(hook.mock.calls[0]![0]).toEqual({
      service: 'IAM',
      operation: 'ListAccessKeys',
      input: { UserName: 'bob' },
    });
    expect(hook.mock.calls[0]![1]).toBe(account);
  });

  it('UpdateAccessKey changes ListAccessKeys and toAccountFile; re-activation sets activatedDate', async () => {
    start(demo);
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'alice',
        AccessKeyId: 'AKIAALICE00000000001',
        Status: 'Inactive',
      }),
    );
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'alice',
        AccessKeyId: 'AKIAALICE00000000002',
        Status: 'Active',
      }),
    );
    const { AccessKeyMetadata } = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(AccessKeyMetadata!.map((k) => [k.AccessKeyId, k.Status])).toEqual([
      ['AKIAALICE00000000001', 'Inactive'],
      ['AKIAALICE00000000002', 'Active'],
    ]);
    const after = account.toAccountFile();
    expect(after.users[0]!.accessKeys).toEqual([
      {
        accessKeyId: 'AKIAALICE00000000001',
        status: 'Inactive',
        createDate: '2026-05-01T10:00:00Z',
        lastUsedDate: '2026-11-20T09:00:00Z',
      },
      {
        accessKeyId: 'AKIAALICE00000000002',
        status: 'Active',
        createDate: '2026-02-01T10:00:00Z',
        activatedDate: NOW.toISOString(),
      },
    ]);
    // Deactivating again and re-deactivating do not touch activatedDate.
    account.setKeyStatus('alice', 'AKIAALICE00000000001', 'Inactive');
    expect(account.toAccountFile().users[0]!.accessKeys![0]!.activatedDate).toBeUndefined();
  });

  it('UpdateAccessKey refuses a key that belongs to another user, and a bad status', async () => {
    start(demo);
    await expectNoSuchEntity(
      iam.send(
        new UpdateAccessKeyCommand({
          UserName: 'bob',
          AccessKeyId: 'AKIAALICE00000000001',
          Status: 'Inactive',
        }),
      ),
    );
    await expect(
      iam.send(
        new UpdateAccessKeyCommand({
          UserName: 'alice',
          AccessKeyId: 'AKIAALICE00000000001',
          Status: 'Disabled' as 'Inactive',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    expect(account.toAccountFile()).toEqual(demo);
  });

  it('DeleteAccessKey removes the key, then answers NoSuchEntity', async () => {
    start(demo);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000002' }));
    const { AccessKeyMetadata } = await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }));
    expect(AccessKeyMetadata!.map((k) => k.AccessKeyId)).toEqual(['AKIAALICE00000000001']);
    await expectNoSuchEntity(
      iam.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000002' })),
    );
    await expectNoSuchEntity(
      iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAALICE00000000002' })),
    );
    expect(account.toAccountFile().users[0]!.accessKeys!.map((k) => k.accessKeyId)).toEqual([
      'AKIAALICE00000000001',
    ]);
  });

  it('toAccountFile round-trips the input without mutating it', () => {
    const input = structuredClone(demo);
    start(input);
    account.setKeyStatus('bob', 'AKIABOB0000000000001', 'Inactive');
    expect(input).toEqual(demo);
    expect(account.toAccountFile().users[1]!.accessKeys![0]!.status).toBe('Inactive');
    expect(() => account.setKeyStatus('bob', 'AKIAALICE00000000001', 'Inactive')).toThrow(/bob has no key/);
  });

  it('tags a user and adds it to a group, as TagUser and AddUserToGroup would, and keeps that in the account file', async () => {
    start(demo);
    account.tagUser('bob', { 'keysweep:exempt': 'always' });
    account.addUserToGroup('bob', 'break-glass');
    account.addUserToGroup('bob', 'break-glass');
    const { Tags } = await iam.send(new ListUserTagsCommand({ UserName: 'bob' }));
    expect(Tags).toContainEqual({ Key: 'keysweep:exempt', Value: 'always' });
    const { Groups } = await iam.send(new ListGroupsForUserCommand({ UserName: 'bob' }));
    expect(Groups?.map((g) => g.GroupName)).toEqual(['break-glass']);
    const bob = account.toAccountFile().users[1];
    expect(bob?.tags).toMatchObject({ 'keysweep:exempt': 'always' });
    expect(bob?.groups).toEqual(['break-glass']);
    expect(() => account.tagUser('nobody', {})).toThrow(/no user nobody/);
  });

  it('rejects an IAM command the simulator does not implement, and records it', async () => {
    start(demo);
    await expect(iam.send(new ListRolesCommand({}))).rejects.toThrow(
      'The simulated account does not support IAM ListRoles',
    );
    expect(account.calls).toEqual([
      { service: 'IAM', operation: 'ListRoles', input: {}, outcome: 'error', error: 'Error' },
    ]);
  });
});

describe('SimulatedAccount: credential report', () => {
  const reportAccount = (ageHours: number): AccountFile => ({
    credentialReportAgeHours: ageHours,
    users: [
      {
        userName: 'dave',
        createDate: '2024-01-01T00:00:00Z',
        accessKeys: [
          // Listed newest first: the report orders slots by createDate.
          { accessKeyId: 'AKIADAVE000000000002', status: 'Active', createDate: '2026-03-01T00:00:00Z' },
          {
            accessKeyId: 'AKIADAVE000000000001',
            status: 'Active',
            createDate: '2025-01-01T00:00:00Z',
            activatedDate: '2026-10-01T12:00:00Z',
            lastUsedDate: '2026-11-01T00:00:00Z',
          },
        ],
      },
      {
        // Created one hour ago: after a report generated 2 hours ago.
        userName: 'erin',
        createDate: iso(NOW.getTime() - HOUR),
        accessKeys: [
          { accessKeyId: 'AKIAERIN000000000001', status: 'Active', createDate: iso(NOW.getTime() - HOUR) },
        ],
      },
      {
        userName: 'frank',
        createDate: '2024-01-01T00:00:00Z',
        accessKeys: [
          { accessKeyId: 'AKIAFRANK00000000001', status: 'Inactive', createDate: '2025-06-01T00:00:00Z' },
          // Created 30 minutes ago: after the report.
          {
            accessKeyId: 'AKIAFRANK00000000002',
            status: 'Active',
            createDate: iso(NOW.getTime() - HOUR / 2),
          },
        ],
      },
    ],
  });

  it('has AWS columns, a root row, N/A fields, and reflects the account as it was when generated', async () => {
    start(reportAccount(2));
    const out = await iam.send(new GetCredentialReportCommand({}));
    expect(out.GeneratedTime).toEqual(new Date(NOW.getTime() - 2 * HOUR));
    const rows = await reportRows();
    expect(rows[0]!.join(',')).toBe(CREDENTIAL_REPORT_HEADER);
    expect(rows[0]).toHaveLength(22);
    expect(rows.every((r) => r.length === 22)).toBe(true);
    expect(rows[1]!.join(',')).toBe(
      '<root_account>,arn:aws:iam::123456789012:root,2019-01-01T00:00:00+00:00,not_supported,N/A,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    );
    expect(rows.map((r) => r[0])).toEqual(['user', '<root_account>', 'dave', 'frank']); // erin is too new
    expect(rows[2]!.join(',')).toBe(
      [
        'dave',
        'arn:aws:iam::123456789012:user/dave',
        '2024-01-01T00:00:00+00:00',
        'false,N/A,N/A,N/A,false',
        // slot 1: the older key; last_rotated is its re-activation
        'true,2026-10-01T12:00:00+00:00,2026-11-01T00:00:00+00:00,us-east-1,s3',
        // slot 2: never used
        'true,2026-03-01T00:00:00+00:00,N/A,N/A,N/A',
        'false,N/A,false,N/A',
      ].join(','),
    );
    // frank's second key is younger than the report: only slot 1, and slot 2 empty. Slot 1's key is
    // inactive: N/A, the strict reading of AWS's "N/A if the user does not have an active access key".
    expect(column(rows, 'frank', 'access_key_1_active')).toBe('false');
    expect(column(rows, 'frank', 'access_key_1_last_rotated')).toBe('N/A');
    expect(column(rows, 'frank', 'access_key_2_active')).toBe('false');
    expect(column(rows, 'frank', 'access_key_2_last_rotated')).toBe('N/A');
    expect(column(rows, 'frank', 'access_key_2_last_used_date')).toBe('N/A');
  });

  it('is a snapshot: later changes show only in a newly generated report; slots shift after a deletion', async () => {
    start(reportAccount(5));
    await expect(iam.send(new GetCredentialReportCommand({}))).rejects.toBeInstanceOf(
      CredentialReportExpiredException,
    );
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'dave', AccessKeyId: 'AKIADAVE000000000001' }));
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'frank',
        AccessKeyId: 'AKIAFRANK00000000001',
        Status: 'Active',
      }),
    );
    expect(await generateUntilComplete()).toEqual(['STARTED', 'INPROGRESS', 'COMPLETE']);
    const out = await iam.send(new GetCredentialReportCommand({}));
    expect(out.GeneratedTime).toEqual(NOW);
    const rows = await reportRows();
    expect(rows.map((r) => r[0])).toEqual(['user', '<root_account>', 'dave', 'erin', 'frank']);
    // dave's newer key moved into slot 1.
    expect(column(rows, 'dave', 'access_key_1_last_rotated')).toBe('2026-03-01T00:00:00+00:00');
    expect(column(rows, 'dave', 'access_key_2_active')).toBe('false');
    expect(column(rows, 'dave', 'access_key_2_last_rotated')).toBe('N/A');
    // frank's re-activated old key looks brand new.
    expect(column(rows, 'frank', 'access_key_1_active')).toBe('true');
    expect(column(rows, 'frank', 'access_key_1_last_rotated')).toBe('2026-11-28T08:00:00+00:00');
    expect(column(rows, 'frank', 'access_key_2_active')).toBe('true');
  });

  it('a fresh report (< 4 h) is reused: COMPLETE at once, and later changes do not show', async () => {
    start(reportAccount(3.9));
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'dave', AccessKeyId: 'AKIADAVE000000000001' }));
    expect(await generateUntilComplete()).toEqual(['COMPLETE']);
    const rows = await reportRows();
    expect(column(rows, 'dave', 'access_key_2_active')).toBe('true'); // the deleted key is still in it
    expect((await iam.send(new GetCredentialReportCommand({}))).GeneratedTime).toEqual(
      new Date(NOW.getTime() - 3.9 * HOUR),
    );
  });

  it('a key re-activated after the report was inactive then: N/A, or its createDate when shown', async () => {
    const file = reportAccount(2);
    file.users[0]!.accessKeys![1]!.activatedDate = iso(NOW.getTime() - HOUR);
    start(file);
    const rows = await reportRows();
    expect(column(rows, 'dave', 'access_key_1_active')).toBe('false');
    expect(column(rows, 'dave', 'access_key_1_last_rotated')).toBe('N/A');
    start(file, { credentialReportInactiveLastRotated: 'shown' });
    const shown = await reportRows();
    expect(column(shown, 'dave', 'access_key_1_last_rotated')).toBe('2025-01-01T00:00:00+00:00');
  });

  it("writes an Inactive key's last_rotated as N/A, or as its date with the 'shown' reading", async () => {
    start(reportAccount(2), { credentialReportInactiveLastRotated: 'shown' });
    const rows = await reportRows();
    expect(column(rows, 'frank', 'access_key_1_active')).toBe('false');
    expect(column(rows, 'frank', 'access_key_1_last_rotated')).toBe('2025-06-01T00:00:00+00:00');
    // an Active key's is its date either way
    expect(column(rows, 'dave', 'access_key_2_last_rotated')).toBe('2026-03-01T00:00:00+00:00');
  });

  it('goes STARTED → INPROGRESS × polls → COMPLETE, answering NotReady meanwhile', async () => {
    start(reportAccount(4), { credentialReportPolls: 3 });
    await expect(iam.send(new GetCredentialReportCommand({}))).rejects.toMatchObject({
      name: 'CredentialReportExpiredException',
    });
    const states: string[] = [];
    for (;;) {
      const { State } = await iam.send(new GenerateCredentialReportCommand({}));
      states.push(State!);
      if (State === 'COMPLETE') break;
      await expect(iam.send(new GetCredentialReportCommand({}))).rejects.toBeInstanceOf(
        CredentialReportNotReadyException,
      );
    }
    expect(states).toEqual(['STARTED', 'INPROGRESS', 'INPROGRESS', 'INPROGRESS', 'COMPLETE']);
    expect((await iam.send(new GetCredentialReportCommand({}))).GeneratedTime).toEqual(NOW);
    // Now fresh: generating again completes at once.
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');
  });

  it('is expired at exactly 4 hours, and not present once dropped', async () => {
    start(reportAccount(4));
    await expect(iam.send(new GetCredentialReportCommand({}))).rejects.toBeInstanceOf(
      CredentialReportExpiredException,
    );
    account.dropCredentialReport();
    await expect(iam.send(new GetCredentialReportCommand({}))).rejects.toBeInstanceOf(
      CredentialReportNotPresentException,
    );
    expect(await generateUntilComplete()).toEqual(['STARTED', 'INPROGRESS', 'COMPLETE']);
    expect((await reportRows()).length).toBe(5);
  });

  it('defaults to a report generated right now', async () => {
    start(demo);
    expect((await iam.send(new GetCredentialReportCommand({}))).GeneratedTime).toEqual(NOW);
    const rows = await reportRows();
    // alice: the Inactive key is older, so it takes slot 1 (last_rotated N/A: inactive).
    expect(column(rows, 'alice', 'access_key_1_active')).toBe('false');
    expect(column(rows, 'alice', 'access_key_1_last_rotated')).toBe('N/A');
    expect(column(rows, 'alice', 'access_key_2_active')).toBe('true');
    expect(column(rows, 'carol', 'access_key_1_active')).toBe('false');
    expect(column(rows, 'carol', 'user_creation_time')).toBe('2020-01-01T00:00:00+00:00');
  });
});

describe('SimulatedAccount: throttling', () => {
  async function callMany(faults: Faults): Promise<boolean[]> {
    start({ users: manyUsers(10) }, faults);
    const outcomes: boolean[] = [];
    for (let i = 0; i < 1000; i++) {
      try {
        await iam.send(new ListAccessKeysCommand({ UserName: 'u00001' }));
        outcomes.push(true);
      } catch (err) {
        expect(err).toMatchObject({
          name: 'Throttling',
          message: 'Rate exceeded',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
        outcomes.push(false);
      }
    }
    account.uninstall();
    return outcomes;
  }

  it('throttles about 30% of IAM calls at rate 0.3, the same ones for the same seed', async () => {
    const a = await callMany({ throttleRate: 0.3, seed: 7 });
    const throttled = a.filter((ok) => !ok).length;
    expect(throttled).toBeGreaterThan(250);
    expect(throttled).toBeLessThan(350);
    expect(await callMany({ throttleRate: 0.3, seed: 7 })).toEqual(a);
    expect(await callMany({ throttleRate: 0.3, seed: 8 })).not.toEqual(a);
    expect((await callMany({ throttleRate: 0 })).every(Boolean)).toBe(true);
    expect((await callMany({ throttleRate: 1 })).some(Boolean)).toBe(false);
  });

  it('records throttled calls as errors and changes no state; beforeCall still runs', async () => {
    const beforeCall = jest.fn();
    start(demo, { throttleRate: 1, beforeCall });
    await expect(
      iam.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001' })),
    ).rejects.toMatchObject({ name: 'Throttling' });
    await expect(
      iam.send(
        new UpdateAccessKeyCommand({
          UserName: 'bob',
          AccessKeyId: 'AKIABOB0000000000001',
          Status: 'Inactive',
        }),
      ),
    ).rejects.toMatchObject({ name: 'Throttling' });
    await expect(iam.send(new GenerateCredentialReportCommand({}))).rejects.toMatchObject({
      name: 'Throttling',
    });
    expect(account.toAccountFile()).toEqual(demo);
    expect(beforeCall).toHaveBeenCalledTimes(3);
    expect(account.calls.map((c) => [c.operation, c.outcome, c.error])).toEqual([
      ['DeleteAccessKey', 'error', 'Throttling'],
      ['UpdateAccessKey', 'error', 'Throttling'],
      ['GenerateCredentialReport', 'error', 'Throttling'],
    ]);
    // S3 and SES are never throttled.
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));
    expect(account.callCounts()).toEqual({
      'IAM.DeleteAccessKey': 1,
      'IAM.UpdateAccessKey': 1,
      'IAM.GenerateCredentialReport': 1,
      'S3.PutObject': 1,
    });
  });

  it('a throttled report poll does not advance generation', async () => {
    let throttle = false;
    start(
      { credentialReportAgeHours: 10, users: [] },
      {
        beforeCall: () => {
          if (throttle) throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
        },
      },
    );
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('STARTED');
    throttle = true;
    await expect(iam.send(new GenerateCredentialReportCommand({}))).rejects.toMatchObject({
      name: 'Throttling',
    });
    throttle = false;
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('INPROGRESS');
    expect(account.calls[1]).toMatchObject({ outcome: 'error', error: 'Throttling' });
  });
});

describe('SimulatedAccount: credential report quoting and faults', () => {
  const commaAccount: AccountFile = {
    users: [
      {
        userName: 'ops,team',
        createDate: '2024-01-01T00:00:00Z',
        accessKeys: [
          { accessKeyId: 'AKIAOPSTEAM000000001', status: 'Active', createDate: '2026-01-01T00:00:00Z' },
        ],
      },
      { userName: 'plain', createDate: '2024-01-01T00:00:00Z' },
      { userName: 'x=y+z@corp.example', createDate: '2024-01-01T00:00:00Z' },
    ],
  };

  async function reportLines(): Promise<string[]> {
    const out = await iam.send(new GetCredentialReportCommand({}));
    return new TextDecoder().decode(out.Content).split('\n');
  }

  it('quotes a user name and an ARN with a comma (RFC 4180), and leaves other fields bare', async () => {
    start(commaAccount);
    const lines = await reportLines();
    const ops = lines.find((l) => l.startsWith('"ops,team"'));
    expect(ops).toBe(
      '"ops,team","arn:aws:iam::123456789012:user/ops,team",2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,' +
        'true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    );
    expect(lines.filter((l) => l.includes('"'))).toEqual([ops]);
    for (const line of lines) expect(parseCsvLine(line)).toHaveLength(22);
    expect(lines.map((l) => parseCsvLine(l)?.[0])).toEqual([
      'user',
      '<root_account>',
      'ops,team',
      'plain',
      'x=y+z@corp.example',
    ]);
  });

  it.each<[MalformedReportRow, (bad: string, wellFormed: string) => void]>([
    [
      'unquoted',
      (bad) => {
        expect(bad).toBe(bad.replace(/"/g, ''));
        expect(parseCsvLine(bad)).toHaveLength(24); // the comma splits the name and the ARN
      },
    ],
    [
      'truncated',
      (bad, wellFormed) => {
        expect(bad.length).toBe(Math.floor(wellFormed.length / 2));
        expect(wellFormed.startsWith(bad)).toBe(true);
        expect(parseCsvLine(bad)).toHaveLength(7);
      },
    ],
  ])('writes a %s row on request, and every other row as before', async (fault, check) => {
    start(commaAccount);
    const wellFormed = await reportLines();
    account.uninstall();
    start(commaAccount, { malformedCredentialReportRows: { 'ops,team': fault } });
    const lines = await reportLines();
    expect(lines).toHaveLength(wellFormed.length);
    expect(lines.filter((l, i) => l !== wellFormed[i])).toEqual([lines[2]]);
    check(lines[2] ?? '', wellFormed[2] ?? '');
  });

  it.each<[CredentialReportFailure, string, number]>([
    ['LimitExceededException', 'LimitExceededException', 409],
    ['ServiceFailureException', 'ServiceFailureException', 500],
    ['Throttling', 'Throttling', 400],
  ])(
    'fails GenerateCredentialReport with %s on every call, and nothing else',
    async (error, name, status) => {
      start(demo, { credentialReportFailure: { operation: 'GenerateCredentialReport', error } });
      for (let i = 0; i < 2; i++) {
        await expect(iam.send(new GenerateCredentialReportCommand({}))).rejects.toMatchObject({
          name,
          $metadata: { httpStatusCode: status },
        });
      }
      if (error === 'LimitExceededException') {
        await expect(iam.send(new GenerateCredentialReportCommand({}))).rejects.toBeInstanceOf(
          LimitExceededException,
        );
      }
      expect((await iam.send(new GetCredentialReportCommand({}))).GeneratedTime).toEqual(NOW);
      expect((await iam.send(new ListUsersCommand({}))).Users).toHaveLength(3);
      expect(account.calls.filter((c) => c.outcome === 'error').map((c) => c.operation)).toEqual(
        Array(error === 'LimitExceededException' ? 3 : 2).fill('GenerateCredentialReport'),
      );
    },
  );

  it('fails GetCredentialReport on request, GenerateCredentialReport still answers', async () => {
    start(demo, {
      credentialReportFailure: { operation: 'GetCredentialReport', error: 'ServiceFailureException' },
    });
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');
    await expect(iam.send(new GetCredentialReportCommand({}))).rejects.toBeInstanceOf(
      ServiceFailureException,
    );
  });
});

describe('SimulatedAccount: S3', () => {
  it('puts, gets, heads, lists and deletes objects', async () => {
    start(demo);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'reports',
        Key: 'runs/b.json',
        Body: '{"b":1}',
        ContentType: 'application/json',
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: 'reports', Key: 'runs/a.txt', Body: new TextEncoder().encode('é') }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'other/c', Body: Buffer.from('c') }));
    account.putObjectText('elsewhere', 'runs/z', 'z');

    const got = await s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'runs/b.json' }));
    expect(got.ContentType).toBe('application/json');
    expect(await got.Body!.transformToString()).toBe('{"b":1}');
    const bytes = await s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'runs/a.txt' }));
    expect(await bytes.Body!.transformToString()).toBe('é');
    expect(account.getObjectText('reports', 'runs/a.txt')).toBe('é');
    expect(account.getObjectText('reports', 'missing')).toBeUndefined();

    const head = await s3.send(new HeadObjectCommand({ Bucket: 'reports', Key: 'runs/b.json' }));
    expect(head).toMatchObject({
      ContentLength: 7,
      ContentType: 'application/json',
      ETag: expect.any(String),
    });

    await expect(s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'nope' }))).rejects.toBeInstanceOf(
      NoSuchKey,
    );
    await expect(s3.send(new GetObjectCommand({ Bucket: 'reports', Key: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'reports', Key: 'nope' }))).rejects.toBeInstanceOf(
      NotFound,
    );

    expect(account.listObjectKeys('reports')).toEqual(['other/c', 'runs/a.txt', 'runs/b.json']);
    expect(account.listObjectKeys('reports', 'runs/')).toEqual(['runs/a.txt', 'runs/b.json']);
    expect(account.listObjectKeys('empty')).toEqual([]);

    await s3.send(new DeleteObjectCommand({ Bucket: 'reports', Key: 'runs/a.txt' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'reports', Key: 'runs/a.txt' })); // idempotent
    expect(account.listObjectKeys('reports', 'runs/')).toEqual(['runs/b.json']);
    expect(account.callCounts()['S3.DeleteObject']).toBe(2);
  });

  it('PutObject with If-None-Match: * writes only a new key, else 412 PreconditionFailed, as S3 conditional writes do', async () => {
    start(demo);
    const put = (Body: string) =>
      s3.send(new PutObjectCommand({ Bucket: 'r', Key: 'state/claim.json', Body, IfNoneMatch: '*' }));
    await put('first');
    await expect(put('second')).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    expect(account.getObjectText('r', 'state/claim.json')).toBe('first');
    // Without the condition, the object is overwritten as ever.
    await s3.send(new PutObjectCommand({ Bucket: 'r', Key: 'state/claim.json', Body: 'third' }));
    expect(account.getObjectText('r', 'state/claim.json')).toBe('third');
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'r', Key: 'x', Body: 'x', IfNoneMatch: '"etag"' })),
    ).rejects.toMatchObject({ name: 'InvalidArgument' });
  });

  it('ListObjectsV2 paginates sorted keys with MaxKeys and ContinuationToken, and groups by delimiter', async () => {
    start(demo);
    const keys = Array.from(
      { length: 25 },
      (_, i) => `runs/2026-11-28/batch-${String(24 - i).padStart(3, '0')}.json`,
    );
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: 'r', Key, Body: Key }));
    await s3.send(new PutObjectCommand({ Bucket: 'r', Key: 'runs/2026-11-27/x', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: 'r', Key: 'zzz', Body: 'x' }));

    const listed: string[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: 'r',
          Prefix: 'runs/2026-11-28/',
          MaxKeys: 10,
          ContinuationToken: token,
        }),
      );
      calls++;
      listed.push(...(page.Contents ?? []).map((o) => o.Key!));
      expect(page.KeyCount).toBe((page.Contents ?? []).length);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(calls).toBe(3);
    expect(listed).toEqual([...keys].sort());

    const grouped = await s3.send(new ListObjectsV2Command({ Bucket: 'r', Prefix: 'runs/', Delimiter: '/' }));
    expect(grouped.CommonPrefixes).toEqual([{ Prefix: 'runs/2026-11-27/' }, { Prefix: 'runs/2026-11-28/' }]);
    expect(grouped.Contents).toBeUndefined();
    expect(grouped.IsTruncated).toBe(false);

    const groupedPaged = await s3.send(new ListObjectsV2Command({ Bucket: 'r', Delimiter: '/', MaxKeys: 1 }));
    expect(groupedPaged.CommonPrefixes).toEqual([{ Prefix: 'runs/' }]);
    expect(groupedPaged.IsTruncated).toBe(true);
    const rest = await s3.send(
      new ListObjectsV2Command({
        Bucket: 'r',
        Delimiter: '/',
        ContinuationToken: groupedPaged.NextContinuationToken,
      }),
    );
    expect(rest.Contents!.map((o) => o.Key)).toEqual(['zzz']);
    expect(rest.CommonPrefixes).toBeUndefined();

    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'empty' }))).KeyCount).toBe(0);
  });
});

describe('SimulatedAccount: SES', () => {
  const email = new SendEmailCommand({
    Source: 'keysweep@example.com',
    Destination: { ToAddresses: ['admin@example.com'], BccAddresses: ['audit@example.com'] },
    Message: {
      Subject: { Data: 'keysweep: 2 keys deactivated' },
      Body: { Html: { Data: '<p>hi</p>' }, Text: { Data: 'hi' } },
    },
  });

  it('captures sent email', async () => {
    start(demo);
    const out = await ses.send(email);
    expect(out.MessageId).toEqual(expect.any(String));
    expect(account.emails).toEqual([
      {
        from: 'keysweep@example.com',
        to: ['admin@example.com'],
        bcc: ['audit@example.com'],
        subject: 'keysweep: 2 keys deactivated',
        html: '<p>hi</p>',
        text: 'hi',
      },
    ]);
    await expect(
      ses.send(
        new SendEmailCommand({
          Source: 'a@example.com',
          Destination: {},
          Message: { Subject: { Data: 's' }, Body: {} },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(account.callCounts()).toEqual({ 'SES.SendEmail': 2 });
  });

  it('rejects every message when SES is down', async () => {
    start(demo, { sesDown: true });
    await expect(ses.send(email)).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    });
    expect(account.emails).toEqual([]);
    expect(account.calls).toEqual([
      {
        service: 'SES',
        operation: 'SendEmail',
        input: email.input,
        outcome: 'error',
        error: 'ServiceUnavailable',
      },
    ]);
  });
});

describe('SimulatedAccount: install and uninstall', () => {
  it('covers clients created before and after install, and restores them', async () => {
    start(demo);
    const late = new IAMClient({ region: 'eu-west-1' });
    expect((await late.send(new ListUsersCommand({}))).Users).toHaveLength(3);
    expect((await iam.send(new ListUsersCommand({}))).Users).toHaveLength(3);
    expect(account.calls).toHaveLength(2);
    expect(account.calls[0]!.input).toEqual({});
    account.uninstall();
    expect('restore' in IAMClient.prototype.send).toBe(false);
    expect('restore' in S3Client.prototype.send).toBe(false);
    expect('restore' in SESClient.prototype.send).toBe(false);
  });

  it('stores call inputs by reference', async () => {
    start(demo);
    const command = new ListAccessKeysCommand({ UserName: 'alice' });
    await iam.send(command);
    expect(account.calls[0]!.input).toBe(command.input);
  });

  it('answers and records a run-sized 30,000 calls (how fast is for npm run bench to say)', async () => {
    start({ users: manyUsers(5000) });
    for (let i = 0; i < 30_000; i++) {
      await iam.send(new ListAccessKeysCommand({ UserName: `u${String((i % 5000) + 1).padStart(5, '0')}` }));
    }
    expect(account.calls).toHaveLength(30_000);
    expect(account.callCounts()).toEqual({ 'IAM.ListAccessKeys': 30_000 });
  });
});
