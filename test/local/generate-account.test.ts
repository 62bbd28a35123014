import {
  generateAccount,
  parseAccountFile,
  SimulatedAccount,
  type AccountFile,
} from '../../local/simulated-account';
import { IAMClient, ListUsersCommand, GetCredentialReportCommand } from '@aws-sdk/client-iam';

const NOW = new Date('2026-11-28T08:00:00.500Z');
const DAY = 86_400_000;

function ageDays(date: string, now = NOW): number {
  return Math.floor((now.getTime() - Date.parse(date)) / DAY);
}

function allKeys(file: AccountFile) {
  return file.users.flatMap((u) => u.accessKeys ?? []);
}

let account: SimulatedAccount | undefined;
afterEach(() => account?.uninstall());

describe('generateAccount', () => {
  it('makes a valid quiet account: every key Active, young enough not to warn, used within a day', () => {
    const file = generateAccount({ users: 500, now: NOW, scenario: 'quiet' });
    expect(parseAccountFile(file, 'generated')).toEqual(file);
    expect(file.users).toHaveLength(500);
    expect(file.credentialReportAgeHours).toBe(1);
    expect(file.now).toBe(NOW.toISOString());
    const keys = allKeys(file);
    expect(keys).toHaveLength(1000);
    for (const key of keys) {
      expect(key.status).toBe('Active');
      const age = ageDays(key.createDate);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(90 - 14);
      expect(key.lastUsedDate).toBeDefined();
      expect(ageDays(key.lastUsedDate!)).toBe(0);
      expect(Date.parse(key.lastUsedDate!)).toBeGreaterThanOrEqual(Date.parse(key.createDate));
    }
    // Spread over the whole allowed range, not bunched at one age.
    const ages = new Set(keys.map((k) => ageDays(k.createDate)));
    expect(Math.max(...ages)).toBe(75);
    expect(ages.size).toBeGreaterThan(50);
  });

  it('makes a valid stale account: every key Active and at least deactivateAfterDays old', () => {
    const file = generateAccount({ users: 300, now: NOW, scenario: 'stale', deactivateAfterDays: 30 });
    parseAccountFile(file, 'generated');
    const keys = allKeys(file);
    expect(keys).toHaveLength(600);
    expect(keys.every((k) => k.status === 'Active' && ageDays(k.createDate) >= 30)).toBe(true);
    expect(Math.min(...keys.map((k) => ageDays(k.createDate)))).toBe(30);
    const neverUsed = keys.filter((k) => k.lastUsedDate === undefined).length;
    expect(neverUsed).toBeGreaterThan(20);
    expect(neverUsed).toBeLessThan(120);
  });

  it('honours warnBeforeDays and keysPerUser', () => {
    const file = generateAccount({
      users: 200,
      keysPerUser: 1,
      now: NOW,
      scenario: 'quiet',
      deactivateAfterDays: 30,
      warnBeforeDays: 20,
    });
    const keys = allKeys(file);
    expect(file.users.every((u) => u.accessKeys!.length === 1)).toBe(true);
    expect(keys.every((k) => ageDays(k.createDate) < 10)).toBe(true);
  });

  it('names users, tags their email, and issues unique AKIA key IDs', () => {
    const file = generateAccount({ users: 5000, now: NOW, scenario: 'stale' });
    expect(file.users[0]!.userName).toBe('user-00001');
    expect(file.users[4999]!.userName).toBe('user-05000');
    expect(file.users[41]!.tags).toEqual({ email: 'user-00042@example.com' });
    const ids = allKeys(file).map((k) => k.accessKeyId);
    expect(ids.every((id) => /^AKIA[A-Z2-7]{16}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(10_000);
    for (const user of file.users) {
      expect(Date.parse(user.createDate!)).toBeLessThanOrEqual(Date.parse(user.accessKeys![0]!.createDate));
    }
    parseAccountFile(file, 'generated');
  });

  it('is deterministic for a seed', () => {
    const a = generateAccount({ users: 50, now: NOW, scenario: 'quiet', seed: 3 });
    expect(generateAccount({ users: 50, now: NOW, scenario: 'quiet', seed: 3 })).toEqual(a);
    expect(generateAccount({ users: 50, now: NOW, scenario: 'quiet', seed: 4 })).not.toEqual(a);
  });

  it('loads into the simulated account, whose report covers every user', async () => {
    const file = generateAccount({ users: 120, now: NOW, scenario: 'quiet' });
    account = new SimulatedAccount(file, { now: NOW }).install();
    const iam = new IAMClient({});
    expect((await iam.send(new ListUsersCommand({ MaxItems: 1000 }))).Users).toHaveLength(100);
    const report = await iam.send(new GetCredentialReportCommand({}));
    const rows = new TextDecoder().decode(report.Content).split('\n');
    expect(rows).toHaveLength(2 + 120);
    expect(account.toAccountFile()).toEqual(file);
  });
});
