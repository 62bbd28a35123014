/**
 * The credential report as a fast path, through the real ASL over two days: the first run (no key
 * index yet) reads every user, the next day reads only the report's candidates, and none of the
 * report's traps (re-activated keys looking young, keys newer than the report, an unreadable
 * report) makes keysweep miss a key that the rules act on.
 */
import { bucketObjectsOf, LOCAL_BUCKET, runWorkflow, type WorkflowRun } from '../../local/run-workflow';
import { iamCallCount } from '../../local/run-stats';
import type { AccountFile, Faults, MalformedReportRow } from '../../local/simulated-account';
import { account, config, daysAgo, key, keyId, keysOf, user, writeCalls } from './sweep-fixtures';

jest.setTimeout(120_000);

const FRIDAY = new Date('2026-11-27T08:00:00Z');
const SATURDAY = new Date('2026-11-28T08:00:00Z');
const weeklyOn = (fullScanOn: string) => config({ fullScanOn });
const weekly = weeklyOn('SUN');

function readUsers(run: WorkflowRun): string[] {
  return [
    ...new Set(
      run.account.calls.filter((c) => c.operation === 'ListAccessKeys').map((c) => String(c.input.UserName)),
    ),
  ].sort();
}

/** 300 users with young keys, plus the special cases of each test. */
function baseUsers() {
  return Array.from({ length: 300 }, (_, i) => user(`quiet-${i}`, [key(1000 + i, 10 + (i % 50))]));
}

/** A user whose key (key 1) enters the warning window between the two days: read and deactivated on day 2. */
const ageing = (userName: string) =>
  user(userName, [key(1, 89, { createDate: new Date(FRIDAY.getTime() - 89.5 * 86_400_000).toISOString() })]);

/** When a user's keys were re-activated between the two days: 12 hours before the second run. */
const REACTIVATED_AT = new Date(SATURDAY.getTime() - 12 * 3600_000).toISOString();

/** Someone re-activates every key of one user between the two days. */
function reactivateKeysOf(userName: string) {
  return (file: AccountFile): AccountFile => ({
    ...file,
    users: file.users.map((u) =>
      u.userName === userName
        ? {
            ...u,
            accessKeys: u.accessKeys?.map((k) => ({
              ...k,
              status: 'Active' as const,
              activatedDate: REACTIVATED_AT,
            })),
          }
        : u,
    ),
  });
}

async function twoDays(
  first: AccountFile,
  change: (after: AccountFile) => AccountFile = (a) => a,
  config = weekly,
  faults: Faults = {},
) {
  const day1 = await runWorkflow({ account: first, config, now: FRIDAY });
  const day2Account = change({
    ...day1.account.toAccountFile(),
    now: SATURDAY.toISOString(),
    credentialReportAgeHours: 2,
  });
  const day2 = await runWorkflow({
    account: day2Account,
    config,
    now: SATURDAY,
    bucketObjects: bucketObjectsOf(day1),
    faults,
  });
  return { day1, day2 };
}

describe('discovery through the credential report', () => {
  it('reads every user on the first run, then only the candidates on a quiet day', async () => {
    const { day1, day2 } = await twoDays(account(baseUsers(), { now: FRIDAY.toISOString() }));
    expect(day1.report?.discovery).toMatchObject({ source: 'full-scan', usersToRead: 300 });
    expect(day1.report?.discovery.reason).toContain('first run');
    expect(day2.status).toBe('SUCCEEDED');
    expect(day2.report?.discovery).toMatchObject({
      source: 'credential-report',
      usersInAccount: 300,
      usersToRead: 0,
    });
    // GenerateCredentialReport, GetCredentialReport and ListUsers (100 users a page here)
    expect(day2.stats.awsCalls['IAM.ListUsers']).toBe(3);
    expect(iamCallCount(day2.stats)).toBe(5);
    expect(day2.stats.lambdaInvocations.total).toBeLessThanOrEqual(4);
  });

  it('reads the users whose keys enter the warning window or the limit, and acts on them', async () => {
    const first = account([...baseUsers(), ageing('ageing')], { now: FRIDAY.toISOString() });
    const { day2 } = await twoDays(first);
    expect(day2.report?.discovery.source).toBe('credential-report');
    // the quiet users' keys (11 to 60 days old) are far from the warning window: not read
    expect(readUsers(day2)).toEqual(['ageing']);
    expect(keysOf(day2.account.toAccountFile()).get(keyId(1))?.status).toBe('Inactive');
  });

  it('reads a user whose name holds a comma from its quoted row, and acts on its key', async () => {
    const { day2 } = await twoDays(
      account([...baseUsers(), ageing('ops,team')], { now: FRIDAY.toISOString() }),
    );
    expect(day2.report?.discovery.source).toBe('credential-report');
    expect(day2.report?.discovery.reason).toContain(
      '1 users may need action, 0 have a key created or re-activated since the last run, ' +
        '0 have a key keysweep deactivated, 0 have no readable row in it (0 rows unreadable)',
    );
    expect(readUsers(day2)).toEqual(['ops,team']);
    expect(keysOf(day2.account.toAccountFile()).get(keyId(1))).toMatchObject({
      userName: 'ops,team',
      status: 'Inactive',
    });
  });

  it.each<[MalformedReportRow, string, string]>([
    ['unquoted', 'ops,team', '24 fields where the header has 22'],
    ['truncated', 'ageing', '10 fields where the header has 22'],
  ])(
    'reads a user whose report row is %s (unreadable), and acts on its key',
    async (fault, userName, problem) => {
      const { day2 } = await twoDays(
        account([...baseUsers(), user('ops', [key(2, 30)]), ageing(userName)], { now: FRIDAY.toISOString() }),
        undefined,
        weekly,
        { malformedCredentialReportRows: { [userName]: fault } },
      );
      expect(day2.status).toBe('SUCCEEDED');
      expect(day2.report?.discovery).toMatchObject({ source: 'credential-report', usersInAccount: 302 });
      expect(day2.report?.discovery.reason).toMatch(
        new RegExp(
          `1 have no readable row in it \\(1 rows unreadable, the first on line \\d+: ${problem}\\)$`,
        ),
      );
      // 'ops' is not mistaken for the unquoted 'ops,team': its young key leaves it unread
      expect(readUsers(day2)).toEqual([userName]);
      expect(keysOf(day2.account.toAccountFile()).get(keyId(1))).toMatchObject({
        userName,
        status: 'Inactive',
      });
      expect(day2.emails[0]?.text).toContain('Why these users: credential report of ');
    },
  );

  it('finds an old key re-activated since the last run, although the report shows it young', async () => {
    const first = account(
      [
        ...baseUsers(),
        user('reactivated', [key(2, 200, { status: 'Inactive', lastUsedDate: daysAgo(150) })]),
      ],
      { now: FRIDAY.toISOString() },
    );
    const { day1, day2 } = await twoDays(first, reactivateKeysOf('reactivated'));
    expect(writeCalls(day1.account.calls)).toEqual([]); // inactive on day 1: nothing to do
    expect(day2.report?.discovery.source).toBe('credential-report');
    expect(readUsers(day2)).toEqual(['reactivated']);
    expect(keysOf(day2.account.toAccountFile()).get(keyId(2))?.status).toBe('Inactive');
    expect(day2.report?.entries[0]).toMatchObject({ userName: 'reactivated', ageDays: 200, result: 'done' });
  });

  it('reads again a user whose key keysweep deactivated, even when the report looks quiet', async () => {
    const first = account([...baseUsers(), user('rotated-late', [key(3, 120)])], {
      now: FRIDAY.toISOString(),
    });
    const { day1, day2 } = await twoDays(first);
    expect(writeCalls(day1.account.calls)).toEqual(['IAM.UpdateAccessKey']);
    expect(readUsers(day2)).toEqual(['rotated-late']);
    expect(day2.report?.discovery.reason).toContain('1 have a key keysweep deactivated');
  });

  it('reads a user created after the report: ListUsers names it, the report has no row of it', async () => {
    const { day2 } = await twoDays(account(baseUsers(), { now: FRIDAY.toISOString() }), (after) => ({
      ...after,
      users: [
        ...after.users,
        user('brand-new', [key(4, 0, { createDate: new Date(SATURDAY.getTime() - 3600_000).toISOString() })]),
      ],
    }));
    expect(day2.report?.discovery).toMatchObject({
      source: 'credential-report',
      usersInAccount: 301,
      usersToRead: 1,
    });
    expect(day2.report?.discovery.reason).toContain('1 have no readable row in it (0 rows unreadable)');
    expect(readUsers(day2)).toEqual(['brand-new']);
    expect(day2.report?.entries).toEqual([
      expect.objectContaining({ userName: 'brand-new', action: 'none' }),
    ]);
    expect(keysOf(day2.account.toAccountFile()).get(keyId(4))?.status).toBe('Active');
  });

  it('falls back to reading every user when the report cannot be had', async () => {
    const day1 = await runWorkflow({
      account: account(baseUsers(), { now: FRIDAY.toISOString() }),
      config: weekly,
      now: FRIDAY,
    });
    const day2 = await runWorkflow({
      account: { ...day1.account.toAccountFile(), now: SATURDAY.toISOString() },
      config: weekly,
      now: SATURDAY,
      bucketObjects: bucketObjectsOf(day1),
      faults: {
        beforeCall: (call) => {
          if (call.operation === 'GetCredentialReport') {
            throw Object.assign(new Error('Report not present'), {
              name: 'CredentialReportNotPresentException',
            });
          }
        },
      },
    });
    expect(day2.status).toBe('SUCCEEDED');
    expect(day2.report?.discovery).toMatchObject({ source: 'full-scan', usersToRead: 300 });
    expect(day2.report?.discovery.reason).toContain('CredentialReportNotPresentException');
  });

  it.each<[string, Faults['credentialReportFailure'], string]>([
    [
      'GenerateCredentialReport hits its limit',
      { operation: 'GenerateCredentialReport', error: 'LimitExceededException' },
      'GenerateCredentialReport: LimitExceededException: Credential report generation limit exceeded',
    ],
    [
      'GetCredentialReport fails in IAM',
      { operation: 'GetCredentialReport', error: 'ServiceFailureException' },
      'GetCredentialReport: ServiceFailureException: ',
    ],
    [
      'GenerateCredentialReport is throttled beyond the retries',
      { operation: 'GenerateCredentialReport', error: 'Throttling' },
      'GenerateCredentialReport: Throttling: Rate exceeded',
    ],
  ])(
    'reads every user and succeeds when %s, with the reason in report.json and the email',
    async (_name, failure, reason) => {
      const { day2 } = await twoDays(
        account([...baseUsers(), ageing('ageing')], { now: FRIDAY.toISOString() }),
        undefined,
        weekly,
        { credentialReportFailure: failure },
      );
      expect(day2.status).toBe('SUCCEEDED');
      expect(day2.report?.discovery).toMatchObject({
        source: 'full-scan',
        usersInAccount: 301,
        usersToRead: 301,
        credentialReportGeneratedAt: null,
      });
      expect(day2.report?.discovery.reason).toContain(`the credential report could not be read (${reason}`);
      expect(day2.emails).toHaveLength(1);
      expect(day2.emails[0]?.text).toContain(
        `Why these users: the credential report could not be read (${reason}`,
      );
      // the full scan still acts
      expect(keysOf(day2.account.toAccountFile()).get(keyId(1))?.status).toBe('Inactive');
    },
  );

  it('reads every user on the weekly full-scan day', async () => {
    const day1 = await runWorkflow({
      account: account(baseUsers(), { now: FRIDAY.toISOString() }),
      config: weekly,
      now: FRIDAY,
    });
    const sunday = new Date('2026-11-29T08:00:00Z');
    const day3 = await runWorkflow({
      account: { ...day1.account.toAccountFile(), now: sunday.toISOString() },
      config: weekly,
      now: sunday,
      bucketObjects: bucketObjectsOf(day1),
    });
    expect(day3.report?.discovery).toMatchObject({
      source: 'full-scan',
      reason: 'weekly full scan (fullScanOn SUN)',
    });
  });

  it('uses the report for last-use dates instead of one GetAccessKeyLastUsed call per key', async () => {
    const usedBeforeReport = baseUsers().map((u) => ({
      ...u,
      accessKeys: u.accessKeys?.map((k) => ({ ...k, lastUsedDate: daysAgo(5) })),
    }));
    const neverUsed = user('never-used', [key(5, 30, { lastUsedDate: undefined })]);
    const run = (unusedAfterDays: number | null) =>
      runWorkflow({
        account: account([...usedBeforeReport, neverUsed], {
          now: FRIDAY.toISOString(),
          credentialReportAgeHours: 1,
        }),
        config: config({ fullScanOn: 'SUN', unusedAfterDays }),
        now: FRIDAY,
      });
    // The age rule alone does not depend on last use: N/A in the report is shown as such, no call.
    const ageOnly = await run(null);
    expect(ageOnly.stats.awsCalls['IAM.GetAccessKeyLastUsed'] ?? 0).toBe(0);
    expect(ageOnly.report?.entries.find((e) => e.userName === 'quiet-7')?.lastUsedDate).toBe(daysAgo(5));
    expect(ageOnly.report?.entries.find((e) => e.userName === 'never-used')).toMatchObject({
      lastUsedDate: null,
      lastUsedSource: 'credential-report',
    });
    // With the unused rule, N/A (never used, or used since the report) is asked of IAM.
    const withUnused = await run(60);
    expect(withUnused.stats.awsCalls['IAM.GetAccessKeyLastUsed']).toBe(1);
    expect(withUnused.report?.entries.find((e) => e.userName === 'never-used')?.lastUsedSource).toBe('iam');
  });

  it('reads a re-activated young key once, then knows it', async () => {
    const config = weeklyOn('WED');
    const first = account([...baseUsers(), user('human-paused', [key(6, 30, { status: 'Inactive' })])], {
      now: FRIDAY.toISOString(),
    });
    const { day2 } = await twoDays(first, reactivateKeysOf('human-paused'), config);
    expect(readUsers(day2)).toEqual(['human-paused']);
    expect(day2.report?.entries[0]?.action).toBe('none');
    const index = JSON.parse(day2.account.getObjectText(LOCAL_BUCKET, 'state/key-index.json') ?? '{}') as {
      users: Record<string, { keys: { lastRotated?: string }[] }>;
    };
    expect(index.users['human-paused']?.keys[0]?.lastRotated).toBe(REACTIVATED_AT);
    const sunday = new Date('2026-11-29T08:00:00Z');
    const day3 = await runWorkflow({
      account: { ...day2.account.toAccountFile(), now: sunday.toISOString(), credentialReportAgeHours: 2 },
      config,
      now: sunday,
      bucketObjects: bucketObjectsOf(day2),
    });
    expect(day3.report?.discovery.source).toBe('credential-report');
    expect(readUsers(day3)).toEqual([]);
  });
});
