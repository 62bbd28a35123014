/**
 * `npm run plan -- --org` as a user runs it, a child process against moto over HTTP
 * (AWS_ENDPOINT_URL), with moto holding an organization: a management account, two member
 * accounts in OUs (the demo organization's prod and dev, their users and keys), each member read
 * through a session of its member role. Planned twice, with `accounts: "ALL"` (listed through the
 * org reader role) and with the members' IDs (no Organizations call), and compared with `npm start`
 * in report mode over the same organization as an account file: the same decision for every key,
 * one plan.csv row per key of every account, moto's users, tags, groups and keys exactly as they
 * were, and no full key ID in anything printed or written but the reports.
 *
 * What moto cannot show (moto-organization.ts): it grants every AssumeRole, so an account the plan
 * cannot enter, and the session policy narrowing each member session, are the simulated account's
 * to check (test/workflow/plan-organization.test.ts).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OrganizationReport } from '../../functions/send-organization-report/organization-report';
import type { Report } from '../../functions/send-report/report-model';
import { DEMO_ORGANIZATION, loadAccountOrOrganization } from '../../local/load-inputs';
import { PLAN_CSV_COLUMNS } from '../../local/plan/plan-csv';
import { isOrganizationFile, type OrganizationAccount } from '../../local/simulated-account';
import { FULL_KEY_ID } from '../key-ids';
import { asMotoHoldsIt, seedMotoUsers, snapshotMotoIam } from './moto-account';
import { MotoHost } from './moto-host';
import { seedMotoOrganization, type MotoOrganization } from './moto-organization';
import { describeWithMoto } from './with-moto';

jest.setTimeout(240_000);

const ROOT = path.join(__dirname, '..', '..');
const REGION = 'us-east-1';
/** moto's account for credentials it did not issue (the test's and the plan's): the hub */
const HUB = '123456789012';
const MANAGEMENT = '999999999999';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Every file under `dir`, by path relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

/**
 * A key told apart from the user's other keys without its full ID in a failure's message: the
 * demo organization's key IDs all end in XXXX, so their masked forms collide.
 */
const keyLabel = (accountId: string, userName: string, accessKeyId: string) =>
  `${accountId} ${userName} ${createHash('sha256').update(accessKeyId).digest('hex').slice(0, 8)}`;

/** `account user key` → `action/rule/result` of each account's report under an output folder. */
function decisions(outDir: string, accounts: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const accountId of accounts) {
    const report = readJson<Report>(path.join(outDir, 'accounts', accountId, 'report.json'));
    for (const e of report.entries)
      out[keyLabel(accountId, e.userName, e.accessKeyId)] = `${e.action}/${e.rule}/${e.result}`;
  }
  return out;
}

describeWithMoto('npm run plan -- --org against moto', () => {
  const demo = loadAccountOrOrganization(DEMO_ORGANIZATION);
  if (!isOrganizationFile(demo)) throw new Error('the demo organization is not an organization file');
  const now = demo.now ?? '';
  // prod and dev, as moto can hold their users (moto-account.ts).
  const specs: OrganizationAccount[] = demo.organization.accounts
    .filter((a) => a.name === 'prod' || a.name === 'dev')
    .map((a) => ({ ...a, users: asMotoHoldsIt({ users: a.users }).users }));
  const dir = mkdtempSync(path.join(tmpdir(), 'keysweep-plan-org-moto-'));
  const out = {
    all: path.join(dir, 'plan-all'),
    listed: path.join(dir, 'plan-listed'),
    start: path.join(dir, 'start'),
  };

  let moto: MotoHost | undefined;
  let org: MotoOrganization | undefined;
  let members: string[] = [];
  let before: Record<string, unknown> = {};
  let after: Record<string, unknown> = {};
  const outcomes: Record<keyof typeof out, Outcome> = {
    all: { code: -1, stdout: '', stderr: '' },
    listed: { code: -1, stdout: '', stderr: '' },
    start: { code: -1, stdout: '', stderr: '' },
  };

  const snapshot = async () => {
    const accounts: Record<string, unknown> = {};
    for (const id of members) accounts[id] = await snapshotMotoIam(await (org as MotoOrganization).iamIn(id));
    return accounts;
  };

  beforeAll(async () => {
    moto = await MotoHost.start();
    org = await seedMotoOrganization(moto.endpoint, REGION, {
      managementAccountId: MANAGEMENT,
      members: specs,
    });
    for (const { spec, accountId } of org.members)
      await seedMotoUsers(moto, await org.iamIn(accountId), spec.users, accountId);
    members = org.members.map((m) => m.accountId);
    before = await snapshot();

    const settings = (accounts: 'ALL' | string[]) => ({
      adminEmails: ['security-admins@example.com'],
      senderEmail: 'keysweep@example.com',
      organization: {
        enabled: true,
        organizationId: org?.organizationId,
        hubAccountId: HUB,
        managementAccountId: MANAGEMENT,
        rootId: org?.rootId,
        accounts,
      },
    });
    const configAll = path.join(dir, 'all.json');
    const configListed = path.join(dir, 'listed.json');
    writeFileSync(configAll, JSON.stringify(settings('ALL')));
    writeFileSync(configListed, JSON.stringify(settings(members)));
    // The same organization as an account file, for npm start: the hub in it (its trust policies'
    // aws:PrincipalOrgID needs the hub in the organization), the management account, the members.
    const accountFile = path.join(dir, 'organization.json');
    const account = (accountId: string, name: string, organizationalUnit: string): OrganizationAccount => ({
      accountId,
      name,
      organizationalUnit,
      status: 'ACTIVE',
      memberRole: 'deployed',
      tags: {},
      users: [],
    });
    writeFileSync(
      accountFile,
      JSON.stringify({
        now,
        ses: { verifiedIdentities: ['example.com'], sandbox: false },
        organization: {
          organizationId: org.organizationId,
          managementAccountId: MANAGEMENT,
          accounts: [
            account(HUB, 'security', 'Root/Security'),
            account(MANAGEMENT, 'management', 'Root'),
            ...org.members.map(({ spec, accountId }) => ({ ...spec, accountId })),
          ],
          serviceControlPolicies: [],
        },
      }),
    );

    const env = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_EC2_METADATA_DISABLED: 'true' };
    const plan = (config: string, outDir: string) =>
      run(
        ['--import', 'tsx', 'local/plan/main.ts', '--org', '--config', config, '--now', now, '--out', outDir],
        env,
      );
    const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    [outcomes.all, outcomes.start] = await Promise.all([
      plan(configAll, out.all),
      run(
        [
          tsx,
          'local/main.ts',
          '--account',
          accountFile,
          '--config',
          configListed,
          '--mode',
          'report',
          '--out',
          out.start,
        ],
        env,
      ),
    ]);
    outcomes.listed = await plan(configListed, out.listed);
    after = await snapshot();
  });

  afterAll(async () => {
    org?.destroy();
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans every account of the organization through the org reader role, as the hub, read-only', () => {
    expect({ code: outcomes.all.code, stderr: outcomes.all.stderr }).toEqual({ code: 0, stderr: '' });
    expect(outcomes.all.stdout).toContain(`keysweep plan --org: hub ${HUB} (from STS GetCallerIdentity`);
    expect(outcomes.all.stdout).toContain(
      `every account of the organization, listed through the org reader role arn:aws:iam::${MANAGEMENT}:role/keysweep-org-reader`,
    );
    const summary = readJson<OrganizationReport>(path.join(out.all, 'report.json'));
    expect(summary.hubAccountId).toBe(HUB);
    // The OU paths read off moto's OU tree, the management account swept as any other.
    expect(
      Object.fromEntries(summary.accounts.map((a) => [a.accountId, `${a.ouPath} ${a.status} ${a.mode}`])),
    ).toEqual(
      Object.fromEntries([
        [MANAGEMENT, 'Root ok report'],
        ...(org?.members ?? []).map((m) => [m.accountId, `${m.spec.organizationalUnit} ok report`]),
      ]),
    );
    const calls = readJson<{ awsCalls: Record<string, number> }>(path.join(out.all, 'stats.json')).awsCalls;
    expect(calls['ORGANIZATIONS.ListAccounts']).toBeGreaterThanOrEqual(1);
    // One session a member-account invocation, and one of the org reader role.
    expect(calls['STS.AssumeRole']).toBeGreaterThan(members.length);
    expect(calls['STS.GetCallerIdentity']).toBe(1);
  });

  it('decides every key as npm start does over the same organization, with or without Organizations', () => {
    expect(outcomes.start.code).toBe(0);
    expect({ code: outcomes.listed.code, stderr: outcomes.listed.stderr }).toEqual({ code: 0, stderr: '' });
    const started = decisions(out.start, members);
    expect(Object.keys(started)).toHaveLength(
      specs.flatMap((a) => a.users.flatMap((u) => u.accessKeys ?? [])).length,
    );
    // Something to decide: deactivations, a warning, an exemption, keys left alone.
    const kinds = new Set(Object.values(started).map((decision) => decision.split('/')[0]));
    expect([...kinds].sort()).toEqual(['deactivate', 'exempt', 'none', 'warn']);
    expect(decisions(out.all, members)).toEqual(started);
    expect(decisions(out.listed, members)).toEqual(started);
  });

  it('with a list of accounts, plans exactly those and makes no Organizations call', () => {
    expect(outcomes.listed.stdout).toContain(
      `the ${members.length} accounts of organization.accounts (no Organizations call)`,
    );
    const summary = readJson<OrganizationReport>(path.join(out.listed, 'report.json'));
    expect(summary.accounts.map((a) => a.accountId).sort()).toEqual([...members].sort());
    const calls = readJson<{ awsCalls: Record<string, number> }>(
      path.join(out.listed, 'stats.json'),
    ).awsCalls;
    expect(Object.keys(calls).filter((name) => name.startsWith('ORGANIZATIONS.'))).toEqual([]);
  });

  it('writes one plan.csv with a row per key of every swept account', () => {
    for (const outDir of [out.all, out.listed]) {
      const lines = readFileSync(path.join(outDir, 'plan.csv'), 'utf8').split('\r\n').filter(Boolean);
      expect(lines[0]).toBe(PLAN_CSV_COLUMNS.join(','));
      const rows = lines.slice(1);
      expect(rows).toHaveLength(Object.keys(decisions(out.start, members)).length);
      expect(new Set(rows.map((row) => row.split(',')[0]))).toEqual(new Set(members));
    }
  });

  it("leaves moto's users, tags, groups and keys in every member account exactly as they were", () => {
    expect(Object.keys(before).sort()).toEqual([...members].sort());
    expect(after).toEqual(before);
    // Every key that was Active is still Active (the snapshot's masked IDs, statuses and dates).
    expect(JSON.stringify(after)).not.toContain(' Inactive ');
  });

  it('prints and writes no full key ID but in the reports', () => {
    for (const outcome of [outcomes.all, outcomes.listed])
      expect(outcome.stdout + outcome.stderr).not.toMatch(FULL_KEY_ID);
    for (const outDir of [out.all, out.listed]) {
      for (const name of filesUnder(outDir)) {
        const leaks = FULL_KEY_ID.test(readFileSync(path.join(outDir, name), 'utf8'));
        if (leaks) expect(name).toMatch(/(^|\/)report\.json$/);
      }
    }
  });
});
