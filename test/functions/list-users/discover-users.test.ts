import {
  CredentialReportExpiredException,
  CredentialReportNotPresentException,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  IAMClient,
  LimitExceededException,
  ListUsersCommand,
  ServiceFailureException,
} from '@aws-sdk/client-iam';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { discoverUsers, type DiscoverDeps } from '../../../functions/list-users/discover-users';
import type { ReportKeySlot } from '../../../functions/list-users/credential-report-csv';
import type { IndexedInactiveKey } from '../../../functions/shared/batch-files';
import type { KeyIndex } from '../../../functions/shared/key-index';
import {
  FakeBucket,
  NOW,
  daysAgo,
  keyId,
  noWaitRetry,
  testConfig,
  CREDENTIAL_REPORT_HEADER,
} from '../fixtures';

const iamMock = mockClient(IAMClient);
const s3Mock = mockClient(S3Client);
const BUCKET = 'reports-bucket';
const INDEX_KEY = 'state/key-index.json';
const GENERATED = new Date('2026-11-28T06:30:00Z');

const HEADER = CREDENTIAL_REPORT_HEADER;

/** An ISO date as the credential report writes it: seconds, +00:00. */
const awsDate = (iso: string) => iso.replace(/(\.\d{3})?Z$/, '+00:00');

/** A credential report CSV with the root account and these users' key slots. */
function reportCsv(users: Record<string, ReportKeySlot[]>): string {
  const slotFields = (slot: ReportKeySlot | undefined) =>
    slot === undefined || slot.lastRotated === null
      ? 'false,N/A,N/A,N/A,N/A'
      : [
          String(slot.active),
          awsDate(slot.lastRotated),
          slot.lastUsedDate === null ? 'N/A' : awsDate(slot.lastUsedDate),
          slot.lastUsedDate === null ? 'N/A' : 'eu-west-1',
          slot.lastUsedDate === null ? 'N/A' : 's3',
        ].join(',');
  const row = (user: string, slots: ReportKeySlot[]) =>
    [
      user,
      `arn:aws:iam::123456789012:user/${user}`,
      '2025-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false',
      slotFields(slots[0]),
      slotFields(slots[1]),
      'false,N/A,false,N/A',
    ].join(',');
  return [
    HEADER,
    '<root_account>,arn:aws:iam::123456789012:root,2019-01-01T00:00:00+00:00,not_supported,N/A,' +
      'not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
    ...Object.entries(users).map(([user, slots]) => row(user, slots)),
  ].join('\n');
}

const slot = (ageDays: number, active = true, lastUsedDaysAgo: number | null = null): ReportKeySlot => ({
  active,
  lastRotated: new Date(daysAgo(ageDays)).toISOString(),
  lastUsedDate: lastUsedDaysAgo === null ? null : daysAgo(lastUsedDaysAgo),
});

/** The account on a quiet Saturday (fullScanOn SUN by default). */
const REPORT: Record<string, ReportKeySlot[]> = {
  old: [slot(100, true, 1)],
  young: [slot(10, true, 2)],
  idle: [slot(50, true, 40)],
  reactivated: [slot(2)],
  'was-deactivated': [slot(95, false)],
  'no-keys': [],
};
/** ListUsers also knows a user created after the report. */
const ALL_USERS = [...Object.keys(REPORT), 'fresh'];

const INDEX: KeyIndex = {
  updatedAt: daysAgo(1),
  users: {
    old: { keys: [{ accessKeyId: keyId(1), createDate: daysAgo(100), status: 'Active' }] },
    young: { keys: [{ accessKeyId: keyId(2), createDate: daysAgo(10), status: 'Active' }] },
    idle: { keys: [{ accessKeyId: keyId(5), createDate: daysAgo(50), status: 'Active' }] },
    // last_rotated moved to its re-activation 2 days ago: the report shows a 2-day-old key
    reactivated: {
      keys: [
        { accessKeyId: keyId(3), createDate: daysAgo(200), status: 'Inactive', inactiveSince: daysAgo(30) },
      ],
    },
    'was-deactivated': {
      keys: [
        {
          accessKeyId: keyId(4),
          createDate: daysAgo(95),
          status: 'Inactive',
          deactivatedByKeysweep: true,
          inactiveSince: daysAgo(1),
        },
      ],
    },
    'no-keys': { keys: [] },
  },
  deactivatedByKeysweep: ['was-deactivated'],
};

/** What the users file carries of each user's inactive keys in INDEX. */
const SIGHTINGS: Record<string, { inactiveKeys: IndexedInactiveKey[] }> = {
  reactivated: {
    inactiveKeys: [{ accessKeyId: keyId(3), inactiveSince: daysAgo(30), deactivatedByKeysweep: false }],
  },
  'was-deactivated': {
    inactiveKeys: [{ accessKeyId: keyId(4), inactiveSince: daysAgo(1), deactivatedByKeysweep: true }],
  },
};
const sightingsOf = (userName: string) => SIGHTINGS[userName] ?? {};

let bucket: FakeBucket;
let pollSleep: jest.Mock<Promise<void>, [number]>;

beforeEach(() => {
  iamMock.reset();
  s3Mock.reset();
  bucket = new FakeBucket().install(s3Mock);
  bucket.put(INDEX_KEY, INDEX);
  pollSleep = jest.fn(async (_ms: number) => undefined);
  iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iamMock
    .on(GetCredentialReportCommand)
    .resolves({ Content: new TextEncoder().encode(reportCsv(REPORT)), GeneratedTime: GENERATED });
  iamMock.on(ListUsersCommand).resolves({
    Users: ALL_USERS.map((UserName) => ({
      UserName,
      Path: '/',
      UserId: `AIDA${UserName}`,
      Arn: `arn:aws:iam::123456789012:user/${UserName}`,
      CreateDate: new Date('2025-01-01T00:00:00Z'),
    })),
    IsTruncated: false,
  });
});

function deps(
  configOverrides: Record<string, unknown> = {},
  extra: Partial<Omit<DiscoverDeps, 'config'>> = {},
): DiscoverDeps {
  return {
    iam: new IAMClient({}),
    s3: new S3Client({}),
    bucket: BUCKET,
    config: testConfig(configOverrides),
    retry: noWaitRetry,
    now: NOW,
    forceFullScan: false,
    report: { maxPolls: 2, pollDelayMs: 0, sleep: pollSleep },
    ...extra,
  };
}

describe('discoverUsers on a day the credential report may narrow the search', () => {
  it('reads the candidates, each with its report slots, and the user the report does not have', async () => {
    const discovery = await discoverUsers(deps());
    expect(discovery).toStrictEqual({
      source: 'credential-report',
      reason:
        'credential report of 2026-11-28T06:30:00.000Z: 1 users may need action, ' +
        '1 have a key created or re-activated since the last run, 1 have a key keysweep deactivated, ' +
        '1 have no readable row in it (0 rows unreadable)',
      usersInAccount: 7,
      users: [
        { userName: 'old', reportKeys: REPORT.old },
        { userName: 'reactivated', reportKeys: REPORT.reactivated, ...SIGHTINGS.reactivated },
        {
          userName: 'was-deactivated',
          reportKeys: REPORT['was-deactivated'],
          ...SIGHTINGS['was-deactivated'],
        },
        { userName: 'fresh' },
      ],
      credentialReportGeneratedAt: '2026-11-28T06:30:00.000Z',
      deletionPaused: null,
    });
    expect(iamMock).toHaveReceivedCommandTimes(ListUsersCommand, 1);
    expect(iamMock).toHaveReceivedCommandWith(ListUsersCommand, { MaxItems: 1000 });
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: INDEX_KEY });
  });

  it('reads a user whose row is unreadable, without hints, and says how many rows were', async () => {
    // young's row with an unquoted comma in a field: one field too many
    const csv = reportCsv(REPORT).replace(/^young,[^,]+,/m, 'young,arn:aws:iam::123456789012:user/young,x,');
    iamMock
      .on(GetCredentialReportCommand)
      .resolves({ Content: new TextEncoder().encode(csv), GeneratedTime: GENERATED });
    const discovery = await discoverUsers(deps());
    expect(discovery.users).toStrictEqual([
      { userName: 'old', reportKeys: REPORT.old },
      { userName: 'reactivated', reportKeys: REPORT.reactivated, ...SIGHTINGS.reactivated },
      { userName: 'was-deactivated', reportKeys: REPORT['was-deactivated'], ...SIGHTINGS['was-deactivated'] },
      { userName: 'young' },
      { userName: 'fresh' },
    ]);
    expect(discovery.reason).toContain(
      '2 have no readable row in it (1 rows unreadable, the first on line 4: 23 fields where the header has 22)',
    );
  });

  it('follows ListUsers to its last page, 1,000 users a page at most', async () => {
    const names = Array.from({ length: 2500 }, (_, i) => `user-${String(i).padStart(4, '0')}`);
    const page = (from: number, size: number) =>
      names.slice(from, from + size).map((UserName) => ({
        UserName,
        Path: '/',
        UserId: `AIDA${UserName}`,
        Arn: `arn:aws:iam::123456789012:user/${UserName}`,
        CreateDate: new Date('2025-01-01T00:00:00Z'),
      }));
    iamMock
      .on(ListUsersCommand)
      .resolvesOnce({ Users: page(0, 1000), IsTruncated: true, Marker: 'm1' })
      .resolvesOnce({ Users: page(1000, 700), IsTruncated: true, Marker: 'm2' }) // IAM may return fewer
      .resolvesOnce({ Users: page(1700, 800), IsTruncated: false });
    const discovery = await discoverUsers(deps());
    expect(discovery.usersInAccount).toBe(2500);
    // none of them is in the report: all are read
    expect(discovery.users.filter((u) => u.userName.startsWith('user-'))).toHaveLength(2500);
    expect(iamMock).toHaveReceivedCommandTimes(ListUsersCommand, 3);
    expect(iamMock).toHaveReceivedCommandWith(ListUsersCommand, { MaxItems: 1000, Marker: 'm2' });
  });

  it('applies the configured policy to the report (unused rule on)', async () => {
    const discovery = await discoverUsers(deps({ unusedAfterDays: 45 }));
    // idle: 50 days old, last used 40 days ago, warned from 45 - 14 = 31 days unused
    expect(discovery.users.map((u) => u.userName)).toEqual([
      'old',
      'idle',
      'reactivated',
      'was-deactivated',
      'fresh',
    ]);
    expect(discovery.reason).toContain('2 users may need action');
  });

  it.each([
    ['Saturday 23:30 UTC, fullScanOn SUN', '2026-11-28T23:30:00Z', 'credential-report'],
    ['Sunday 00:00 UTC, fullScanOn SUN', '2026-11-29T00:00:00Z', 'full-scan'],
    ['Sunday 00:30 in UTC+01:00 (still Saturday in UTC)', '2026-11-29T00:30:00+01:00', 'credential-report'],
  ])('judges the weekday in UTC: %s', async (_name, now, source) => {
    const discovery = await discoverUsers(deps({}, { now: new Date(now) }));
    expect(discovery.source).toBe(source);
  });
});

describe('discoverUsers on a full-scan day', () => {
  const notPresent = new CredentialReportNotPresentException({ message: 'no report', $metadata: {} });

  it.each<[string, Record<string, unknown>, boolean, () => void, string, boolean]>([
    [
      'forced by the execution input',
      {},
      true,
      () => undefined,
      'full scan requested by the execution input',
      true,
    ],
    ['fullScanOn ALWAYS', { fullScanOn: 'ALWAYS' }, false, () => undefined, 'fullScanOn is ALWAYS', true],
    [
      'the weekday is fullScanOn',
      { fullScanOn: 'SAT' },
      false,
      () => undefined,
      'weekly full scan (fullScanOn SAT)',
      true,
    ],
    [
      'there is no key index yet',
      {},
      false,
      () => bucket.objects.delete(INDEX_KEY),
      'first run: keysweep has no key index yet',
      false,
    ],
    [
      'the key index does not match its schema',
      {},
      false,
      () => bucket.put(INDEX_KEY, { updatedAt: 'x', users: { old: { keys: 'none' } } }),
      'the key index state/key-index.json is unreadable',
      false,
    ],
    [
      'the key index lacks deactivatedByKeysweep',
      {},
      false,
      () => bucket.put(INDEX_KEY, { updatedAt: 'x', users: {} }),
      'the key index state/key-index.json is unreadable',
      false,
    ],
  ])(
    'reads every user when %s, with hints from the report',
    async (_name, config, force, setup, reason, indexed) => {
      setup();
      const discovery = await discoverUsers(deps(config, { forceFullScan: force }));
      expect(discovery).toStrictEqual({
        source: 'full-scan',
        reason,
        usersInAccount: 7,
        users: [
          ...Object.entries(REPORT).map(([userName, reportKeys]) => ({
            userName,
            reportKeys,
            ...(indexed ? sightingsOf(userName) : {}),
          })),
          { userName: 'fresh' },
        ],
        credentialReportGeneratedAt: '2026-11-28T06:30:00.000Z',
        deletionPaused: null,
      });
      expect(iamMock).toHaveReceivedCommandTimes(ListUsersCommand, 1);
    },
  );

  it.each<[string, () => void, string]>([
    [
      'GetCredentialReport says not present',
      () => iamMock.on(GetCredentialReportCommand).rejects(notPresent),
      'the credential report could not be read (GetCredentialReport: CredentialReportNotPresentException: no report)',
    ],
    [
      'GetCredentialReport says expired',
      () =>
        iamMock
          .on(GetCredentialReportCommand)
          .rejects(new CredentialReportExpiredException({ message: 'expired', $metadata: {} })),
      'the credential report could not be read (GetCredentialReport: CredentialReportExpiredException: expired)',
    ],
    [
      'the report is still being generated',
      () => iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'INPROGRESS' }),
      'the credential report was still INPROGRESS after 2 polls',
    ],
  ])('reads every user, without hints, when %s', async (_name, setup, reason) => {
    setup();
    const discovery = await discoverUsers(deps());
    expect(discovery).toStrictEqual({
      source: 'full-scan',
      reason,
      usersInAccount: 7,
      users: ALL_USERS.map((userName) => ({ userName, ...sightingsOf(userName) })),
      credentialReportGeneratedAt: null,
      deletionPaused: null,
    });
  });

  it.each<[string, Record<string, unknown>, boolean, string]>([
    ['forced beats no index', {}, true, 'full scan requested by the execution input'],
    ['ALWAYS beats no index', { fullScanOn: 'ALWAYS' }, false, 'fullScanOn is ALWAYS'],
    ['no index beats an unavailable report', {}, false, 'first run: keysweep has no key index yet'],
  ])('gives one reason when several apply: %s', async (_name, config, force, reason) => {
    bucket.objects.delete(INDEX_KEY);
    iamMock.on(GetCredentialReportCommand).rejects(notPresent);
    const discovery = await discoverUsers(deps(config, { forceFullScan: force }));
    expect(discovery.source).toBe('full-scan');
    expect(discovery.reason).toBe(reason);
  });

  it('fails on an S3 error other than a missing index', async () => {
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await expect(discoverUsers(deps())).rejects.toThrow('Access Denied');
  });

  it.each<[string, () => void, string]>([
    [
      'GenerateCredentialReport hits its limit',
      () =>
        iamMock
          .on(GenerateCredentialReportCommand)
          .rejects(new LimitExceededException({ message: 'limit exceeded', $metadata: {} })),
      'GenerateCredentialReport: LimitExceededException: limit exceeded',
    ],
    [
      'GetCredentialReport is denied',
      () =>
        iamMock
          .on(GetCredentialReportCommand)
          .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' })),
      'GetCredentialReport: AccessDenied: not authorized',
    ],
    [
      'IAM fails',
      () =>
        iamMock
          .on(GetCredentialReportCommand)
          .rejects(new ServiceFailureException({ message: 'internal error', $metadata: {} })),
      'GetCredentialReport: ServiceFailureException: internal error',
    ],
  ])('reads every user, without hints, when %s, and says why', async (_name, setup, failure) => {
    setup();
    const discovery = await discoverUsers(deps());
    expect(discovery).toStrictEqual({
      source: 'full-scan',
      reason: `the credential report could not be read (${failure})`,
      usersInAccount: 7,
      users: ALL_USERS.map((userName) => ({ userName, ...sightingsOf(userName) })),
      credentialReportGeneratedAt: null,
      deletionPaused: null,
    });
  });

  it('fails when ListUsers fails: without the user list nothing can be read', async () => {
    iamMock
      .on(ListUsersCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(discoverUsers(deps({ fullScanOn: 'ALWAYS' }))).rejects.toThrow('not authorized');
  });

  // Regression: a key index that is not JSON at all (truncated, hand-edited) used to throw a
  // SyntaxError out of list-users on every run instead of falling back to a full scan.
  it.each<[string, Record<string, unknown>, boolean]>([
    ['a report day', {}, false],
    ['a forced full scan', {}, true],
  ])('falls back to a full scan on %s when the key index is not JSON', async (_name, config, force) => {
    bucket.objects.set(INDEX_KEY, { body: '{"updatedAt":"2026-11-27T08:0', contentType: 'application/json' });
    const discovery = await discoverUsers(deps(config, { forceFullScan: force }));
    expect(discovery.source).toBe('full-scan');
    expect(discovery.usersInAccount).toBe(7);
    if (!force) expect(discovery.reason).toBe('the key index state/key-index.json is unreadable (not JSON)');
  });
});

describe('discoverUsers: deletion needs the key index', () => {
  it.each<[string, () => void, string | null]>([
    ['a readable index', () => undefined, null],
    [
      'no index (first run)',
      () => bucket.objects.delete(INDEX_KEY),
      'first run: keysweep has no key index yet, so it cannot tell how long inactive keys have been inactive: ' +
        'nothing is deleted this run, and every inactive key counts as first seen inactive today',
    ],
    [
      'an index that is not JSON',
      () => bucket.objects.set(INDEX_KEY, { body: '{"upda', contentType: 'application/json' }),
      'the key index state/key-index.json is unreadable (not JSON), so it cannot tell how long inactive keys ' +
        'have been inactive: nothing is deleted this run, and every inactive key counts as first seen inactive today',
    ],
    [
      'an index of the wrong shape',
      () => bucket.put(INDEX_KEY, { updatedAt: 'x', users: {} }),
      'the key index state/key-index.json is unreadable, so it cannot tell how long inactive keys have been ' +
        'inactive: nothing is deleted this run, and every inactive key counts as first seen inactive today',
    ],
  ])('with deleteAfterDays set and %s, pauses deletion: %j', async (_name, setup, paused) => {
    setup();
    const discovery = await discoverUsers(deps({ deleteAfterDays: 30 }));
    expect(discovery.deletionPaused).toBe(paused);
    // without a readable index, no user carries sightings of inactive keys
    expect(discovery.users.some((u) => u.inactiveKeys !== undefined)).toBe(paused === null);
  });

  it('pauses nothing when deletion is off, index or not', async () => {
    bucket.objects.delete(INDEX_KEY);
    expect((await discoverUsers(deps())).deletionPaused).toBeNull();
  });
});
