/**
 * The organization run end to end: the real organization ASL and the real account ASL, nested as in
 * AWS, with every call authorized against the synthesized hub, member and management policies and
 * the organization's SCPs. Each situation of issue 11: an unreachable account, an SCP that denies
 * UpdateAccessKey in one OU, excluded and suspended accounts, report mode in one account, both
 * circuit breakers decided before any change, owners and each account's admins emailed.
 */
import { layout } from '../../functions/shared/report-layout';
import {
  DEMO_ORGANIZATION,
  DEMO_ORGANIZATION_CONFIG,
  loadAccountOrOrganization,
  loadConfig,
} from '../../local/load-inputs';
import { LOCAL_BUCKET, runWorkflow, type WorkflowRun } from '../../local/run-workflow';
import type { OrganizationFile } from '../../local/simulated-account';
import { DENY_UPDATE_ACCESS_KEY, HUB, orgAccount, orgConfig, organization } from './organization-fixtures';
import { FULL_KEY_ID, key, NOW, user } from './sweep-fixtures';

jest.setTimeout(300_000);

const PROD = '222222222222';
const DEV = '333333333333';
const LOCKED = '444444444444';
const SUSPENDED = '555555555555';
const NO_ROLE = '666666666666';
const EXCLUDED = '777777777777';

function statusOfKeys(run: WorkflowRun, accountId: string): Record<string, string> {
  const file = run.account.toFile() as OrganizationFile;
  const found = file.organization.accounts.find((a) => a.accountId === accountId);
  return Object.fromEntries(
    (found?.users ?? []).flatMap((u) =>
      (u.accessKeys ?? []).map((k) => [`${u.userName}`, k.status] as const),
    ),
  );
}

const lineOf = (run: WorkflowRun, accountId: string) =>
  run.organizationReport?.accounts.find((a) => a.accountId === accountId);

describe('the demo organization', () => {
  let run: WorkflowRun;
  beforeAll(async () => {
    run = await runWorkflow({
      account: loadAccountOrOrganization(DEMO_ORGANIZATION),
      config: loadConfig({ configFile: DEMO_ORGANIZATION_CONFIG }),
      executionName: 'org-demo',
    });
  });

  it('ends failed (AccountsFailed) after the summary went out, so that the alarm fires', () => {
    expect(run.status).toBe('FAILED');
    expect(run.error?.Error).toBe('AccountsFailed');
    expect(run.organizationReport?.outcome).toBe('accounts-failed');
    const summary = run.emails.filter((e) => e.subject.includes('organization o-keysweep00'));
    expect(summary).toHaveLength(1);
    expect(summary[0]?.to).toEqual(['security-admins@example.com']);
    expect(summary[0]?.subject).toContain('[ACCOUNTS FAILED]');
  });

  it('reports the account without a member role as unreachable, with STS’s reason, and sweeps the others', () => {
    const line = lineOf(run, NO_ROLE);
    expect(line?.status).toBe('unreachable');
    expect(line?.reason).toMatch(/sts:AssumeRole .*role\/keysweep-member.*AccessDenied/);
    expect(statusOfKeys(run, NO_ROLE)).toEqual({ ivan: 'Active' });
    expect(statusOfKeys(run, PROD)).toMatchObject({ bob: 'Inactive', carol: 'Active' });
    const prod = run.account.toFile() as OrganizationFile;
    const alice = prod.organization.accounts
      .find((a) => a.accountId === PROD)
      ?.users.find((u) => u.userName === 'alice');
    expect(alice?.accessKeys?.map((k) => k.status)).toEqual(['Inactive', 'Active']);
    const email = run.emails.find((e) => e.subject.includes('organization'));
    expect(email?.text).toContain('666666666666');
    expect(email?.text).toMatch(/unreachable: Root\/Workloads\/Dev: AccountUnreachable/);
  });

  it('in the OU whose SCP denies UpdateAccessKey, the key fails with the explicit deny; the account is failed, the others not', () => {
    expect(statusOfKeys(run, LOCKED)).toEqual({ frank: 'Active', grace: 'Active' });
    expect(run.account.denials.map((d) => `${d.caller} ${d.action}`)).toEqual([
      `session:${LOCKED}:keysweep-member iam:UpdateAccessKey`,
    ]);
    const line = lineOf(run, LOCKED);
    expect(line).toMatchObject({ status: 'failed', outcome: 'keys-failed' });
    const report = JSON.parse(
      run.account.getObjectText(LOCAL_BUCKET, `${run.files?.prefix}accounts/${LOCKED}/report.json`) ?? '{}',
    ) as { entries: { userName: string; result: string; error: string }[] };
    expect(report.entries.find((e) => e.userName === 'frank')).toMatchObject({ result: 'failed' });
    expect(report.entries.find((e) => e.userName === 'frank')?.error).toMatch(
      /explicit deny in a service control policy/,
    );
  });

  it('leaves out the suspended and the excluded account, and lists them', () => {
    expect(run.organizationReport?.skipped.map((s) => [s.accountId, s.why])).toEqual([
      [SUSPENDED, 'suspended'],
      [EXCLUDED, 'excluded'],
    ]);
    expect(run.accountExecutions.some((e) => e.executionName.startsWith(SUSPENDED))).toBe(false);
    expect(run.account.calls.some((c) => c.account === EXCLUDED || c.account === SUSPENDED)).toBe(false);
    expect(run.emails.find((e) => e.subject.includes('organization'))?.text).toMatch(
      /vendor \(777777777777\): Root\/Workloads: excluded/,
    );
  });

  it('runs the dev OU in report mode (accountOverrides): nothing changes there, and its admins are told what would be done', () => {
    expect(lineOf(run, DEV)).toMatchObject({
      mode: 'report',
      modeSource: 'accountOverrides[Root/Workloads/Dev]',
    });
    expect(statusOfKeys(run, DEV)).toEqual({ dave: 'Active', erin: 'Active' });
    const devEmail = run.emails.find((e) => e.to.includes('dev-leads@example.com'));
    expect(devEmail?.subject).toMatch(
      /^keysweep \[report mode\] 333333333333 2026-11-28: would deactivate 1/,
    );
  });

  it("emails each account's admins (the keysweep:admins account tag) that account's report, and the owners as today", () => {
    const to = run.emails.map((e) => e.to.join(','));
    expect(to).toEqual(
      expect.arrayContaining([
        'prod-admins@example.com',
        'dev-leads@example.com',
        'alice@example.com',
        'bob@example.com',
      ]),
    );
    const prodEmail = run.emails.find((e) => e.to.includes('prod-admins@example.com'));
    expect(prodEmail?.subject).toMatch(/^keysweep 222222222222 2026-11-28: 2 deactivated, 1 warned/);
    // Accounts without the tag send no account email: the organization summary covers them.
    expect(run.emails.filter((e) => e.subject.startsWith(`keysweep ${LOCKED}`))).toEqual([]);
  });

  it('keeps each account apart: its own run prefix under the organization run, its own key index', () => {
    const prefix = `runs/2026-11-28/org-demo/accounts/${PROD}/`;
    expect(run.account.getObjectText(LOCAL_BUCKET, `${prefix}report.json`)).toBeDefined();
    expect(run.account.getObjectText(LOCAL_BUCKET, `${prefix}plan.json`)).toBeDefined();
    expect(run.account.getObjectText(LOCAL_BUCKET, layout.keyIndex(PROD))).toContain('alice');
    expect(run.account.getObjectText(LOCAL_BUCKET, layout.keyIndex(DEV))).not.toContain('alice');
    expect(run.account.getObjectText(LOCAL_BUCKET, layout.keyIndex())).toBeUndefined();
  });

  it('runs a quiet account in one execution, an account with changes in a plan and an act execution', () => {
    const names = run.accountExecutions.map((e) => e.executionName).sort();
    expect(names.filter((n) => n.startsWith('888888888888'))).toEqual(['888888888888-plan-org-demo']);
    expect(names.filter((n) => n.startsWith(PROD))).toEqual([
      `${PROD}-act-org-demo`,
      `${PROD}-plan-org-demo`,
    ]);
    // report mode changes nothing, so its plan execution is complete too
    expect(names.filter((n) => n.startsWith(DEV))).toEqual([`${DEV}-plan-org-demo`]);
  });

  it('sweeps the hub through its own member role, like every account, one AssumeRole per invocation', () => {
    const hubIam = run.account.calls.filter((c) => c.service === 'IAM' && c.account === HUB);
    expect(hubIam.length).toBeGreaterThan(0);
    expect(run.stats.awsCalls['STS.AssumeRole']).toBe(
      (run.stats.lambdaInvocations['list-users'] ?? 0) +
        (run.stats.lambdaInvocations['find-stale-keys'] ?? 0) +
        (run.stats.lambdaInvocations['deactivate-key'] ?? 0) +
        1, // list-accounts into the org reader role
    );
    expect(run.stats.awsCalls['ORGANIZATIONS.ListAccounts']).toBeGreaterThan(0);
  });

  it('shows no full key ID in any email', () => {
    for (const email of run.emails) {
      expect(`${email.subject}\n${email.text}\n${email.html}`).not.toMatch(FULL_KEY_ID);
    }
  });
});

describe('the circuit breakers, decided before any change in any account', () => {
  // Three accounts of 3 stale keys each: each within maxActionsPerRun (5), 9 over maxActionsPerOrgRun (8).
  const threeAccounts = () =>
    organization([
      orgAccount(PROD, [user('a', [key(1, 200)]), user('b', [key(2, 200)]), user('c', [key(3, 200)])]),
      orgAccount(DEV, [user('d', [key(4, 200)]), user('e', [key(5, 200)]), user('f', [key(6, 200)])]),
      orgAccount(LOCKED, [user('g', [key(7, 200)]), user('h', [key(8, 200)]), user('i', [key(9, 200)])]),
    ]);

  it("trips the organization's breaker with every account within its own limit: nothing changes anywhere", async () => {
    const run = await runWorkflow({
      account: threeAccounts(),
      config: orgConfig({ maxActionsPerOrgRun: 8 }, { maxActionsPerRun: 5 }),
      executionName: 'org-breaker',
    });
    expect(run.error?.Error).toBe('ActionLimitExceeded');
    expect(run.organizationReport?.decision).toMatchObject({
      plannedActions: 9,
      maxActionsPerOrgRun: 8,
      limitExceeded: true,
    });
    expect(run.account.calls.filter((c) => c.operation === 'UpdateAccessKey')).toEqual([]);
    for (const id of [PROD, DEV, LOCKED]) {
      expect(lineOf(run, id)?.status).toBe('held');
      expect(lineOf(run, id)?.reason).toMatch(
        /maxActionsPerOrgRun \(8\); nothing was changed in any account/,
      );
    }
    expect(run.emails.find((e) => e.subject.includes('organization'))?.subject).toContain(
      '[ORGANIZATION ACTION LIMIT EXCEEDED]',
    );
  });

  it("within the organization's limit, an account over its own limit changes nothing and the others act", async () => {
    const file = threeAccounts();
    file.organization.accounts
      .find((a) => a.accountId === PROD)
      ?.users.push(user('x', [key(10, 200)]), user('y', [key(11, 200)]), user('z', [key(12, 200)]));
    const run = await runWorkflow({
      account: file,
      config: orgConfig({ maxActionsPerOrgRun: 100 }, { maxActionsPerRun: 5 }),
      executionName: 'account-breaker',
    });
    expect(run.error?.Error).toBe('AccountsFailed');
    expect(lineOf(run, PROD)).toMatchObject({ status: 'failed', outcome: 'action-limit-exceeded' });
    expect(Object.values(statusOfKeys(run, PROD))).toEqual(Array(6).fill('Active'));
    expect(Object.values(statusOfKeys(run, DEV))).toEqual(['Inactive', 'Inactive', 'Inactive']);
    // the over-limit account's planned changes do not count against the organization
    expect(run.organizationReport?.decision?.plannedActions).toBe(6);
  });

  it('a report-mode execution input makes every account report mode, overrides to enforce included', async () => {
    const run = await runWorkflow({
      account: threeAccounts(),
      config: orgConfig({ accountOverrides: { [PROD]: { mode: 'enforce' } } }),
      input: { mode: 'report' },
      executionName: 'org-report',
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.organizationReport?.accounts.map((a) => a.mode)).toEqual(Array(5).fill('report'));
    expect(run.account.calls.filter((c) => c.operation === 'UpdateAccessKey')).toEqual([]);
    // plans only (hub, management and the three): report mode changes nothing
    expect(run.accountExecutions.map((e) => e.executionName.split('-')[1])).toEqual(Array(5).fill('plan'));
  });
});

describe('which accounts', () => {
  const fourAccounts = () =>
    organization(
      [
        orgAccount(PROD, [user('a', [key(1, 200)])], { organizationalUnit: 'Root/Workloads/Prod' }),
        orgAccount(DEV, [user('b', [key(2, 200)])], { organizationalUnit: 'Root/Workloads/Dev/Team' }),
        orgAccount(LOCKED, [user('c', [key(3, 200)])], { organizationalUnit: 'Root/Locked' }),
      ],
      { serviceControlPolicies: [{ target: 'Root/Locked', policy: DENY_UPDATE_ACCESS_KEY }] },
    );

  it('organizationalUnits keeps the accounts under them, recursively; the management account is left out too', async () => {
    const run = await runWorkflow({
      account: fourAccounts(),
      config: orgConfig({ organizationalUnits: ['Root/Workloads'] }),
      executionName: 'by-ou',
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.organizationReport?.accounts.map((a) => [a.accountId, a.ouPath])).toEqual([
      [PROD, 'Root/Workloads/Prod'],
      [DEV, 'Root/Workloads/Dev/Team'],
    ]);
    expect(run.organizationReport?.skipped.map((s) => [s.accountId, s.why])).toEqual([
      [HUB, 'outside-the-organizational-units'],
      [LOCKED, 'outside-the-organizational-units'],
      ['999999999999', 'outside-the-organizational-units'],
    ]);
  });

  it('a list of account IDs needs no Organizations access: no org reader call', async () => {
    const run = await runWorkflow({
      account: fourAccounts(),
      config: orgConfig({ accounts: [PROD, DEV] }),
      executionName: 'by-id',
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.account.calls.filter((c) => c.service === 'ORGANIZATIONS')).toEqual([]);
    expect(run.account.calls.filter((c) => c.service === 'STS').map((c) => c.input.RoleArn)).not.toContain(
      'arn:aws:iam::999999999999:role/keysweep-org-reader',
    );
    expect(run.organizationReport?.accounts.map((a) => a.accountId)).toEqual([PROD, DEV]);
    expect(statusOfKeys(run, PROD)).toEqual({ a: 'Inactive' });
  });

  it('an account override by ID wins over the deepest OU path, which wins over a shallower one', async () => {
    const run = await runWorkflow({
      account: fourAccounts(),
      config: orgConfig({
        organizationalUnits: ['Root/Workloads'],
        accountOverrides: {
          'Root/Workloads': { mode: 'report' },
          'Root/Workloads/Dev': { mode: 'enforce' },
          [PROD]: { mode: 'enforce' },
        },
      }),
      executionName: 'overrides',
    });
    expect(run.organizationReport?.accounts.map((a) => [a.accountId, a.mode, a.modeSource])).toEqual([
      [PROD, 'enforce', `accountOverrides[${PROD}]`],
      [DEV, 'enforce', 'accountOverrides[Root/Workloads/Dev]'],
    ]);
  });
});

it('the next day reads each account’s key index: a quiet day is one execution per account', async () => {
  const file = organization([
    orgAccount(PROD, [user('a', [key(1, 10)])]),
    orgAccount(DEV, [user('b', [key(2, 20)])]),
  ]);
  const config = orgConfig({}, { fullScanOn: 'SUN' });
  const first = await runWorkflow({ account: file, config, executionName: 'day-1' });
  expect(first.status).toBe('SUCCEEDED');
  const objects = Object.fromEntries(
    first.account
      .listObjectKeys(LOCAL_BUCKET)
      .map((k) => [k, first.account.getObjectText(LOCAL_BUCKET, k) ?? '']),
  );
  // NOW is a Saturday; Sunday is the full-scan day (fullScanOn SUN), so the quiet day is Monday.
  const monday = new Date(NOW.getTime() + 2 * 86_400_000);
  const second = await runWorkflow({
    account: { ...(first.account.toFile() as OrganizationFile), now: monday.toISOString() },
    config,
    now: monday,
    bucketObjects: objects,
    executionName: 'day-3',
  });
  expect(second.status).toBe('SUCCEEDED');
  expect(second.accountExecutions.map((e) => e.executionName).sort()).toEqual(
    [`999999999999-plan-day-3`, `${HUB}-plan-day-3`, `${DEV}-plan-day-3`, `${PROD}-plan-day-3`].sort(),
  );
  const accountLines = second.organizationReport?.accounts ?? [];
  expect(accountLines.every((a) => a.status === 'ok')).toBe(true);
  expect(second.account.calls.filter((c) => c.operation === 'ListAccessKeys')).toEqual([]);
});
