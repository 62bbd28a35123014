/**
 * A plan of an organization (local/plan/run-plan.ts, runOrganizationPlan) over the demo
 * organization, whose IAM, STS and Organizations are answered by a simulated organization standing
 * in for the real one (every call through the SDK client's middleware, so through the plan's
 * guards; every call authorized as AWS would: the hub's roles, the member roles' trust, session
 * policies, SCPs). What moto cannot model (test/emulator/plan-organization.test.ts) is checked here:
 * an account whose member role is missing is unreachable, listed with STS's reason, and the others
 * are planned; each member session is narrowed to reads, so that even without the guard a write
 * is refused by the session itself. Also: the decisions of `npm start` in report mode, no call that
 * did not pass a guard, nothing changed, and a bug that asked the plan to act changes nothing.
 */
import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { callerKey, currentCaller, runAs } from '../../local/callers';
import { deploymentPolicies } from '../../local/deployment-policies';
import { executeOrganizationSweep } from '../../local/execute-organization';
import { LOCAL_BUCKET, type ReportPolling } from '../../local/execute-sweep';
import {
  DEMO_ORGANIZATION,
  DEMO_ORGANIZATION_CONFIG,
  loadAccountOrOrganization,
  loadConfig,
} from '../../local/load-inputs';
import { PlanCallLog } from '../../local/plan/call-log';
import { planOrganizationClients } from '../../local/plan/organization-clients';
import {
  listingFailedLines,
  plannedOrganization,
  unreachableLines,
} from '../../local/plan/organization-plan';
import { planCsv } from '../../local/plan/plan-csv';
import { READ_ONLY_GUARD } from '../../local/plan/read-only-guard';
import { accountReportsOf, runOrganizationPlan } from '../../local/plan/run-plan';
import { summaryLines } from '../../local/print-summary';
import { outputFiles } from '../../local/run-output';
import { runWorkflow, type WorkflowRun } from '../../local/run-workflow';
import { isOrganizationFile, SimulatedAccount, type OrganizationFile } from '../../local/simulated-account';
import { FULL_KEY_ID } from '../key-ids';

jest.setTimeout(300_000);

const HUB = '123456789012';
const PROD = '222222222222';
const NO_ROLE = '666666666666';
const NO_WAITS: ReportPolling = { maxPolls: 10, pollDelayMs: 0, sleep: async () => undefined };
const GUARDED = new Set(['IAM', 'STS', 'ORGANIZATIONS']);

const demo = loadAccountOrOrganization(DEMO_ORGANIZATION) as OrganizationFile;
// The demo organization's settings, in enforce mode (cdk.json's): a plan runs in report mode all the same.
const config = loadConfig({ configFile: DEMO_ORGANIZATION_CONFIG });
const now = new Date(demo.now ?? '');

/** The demo organization as the real one a plan reads: IAM, STS and Organizations, as AWS authorizes them. */
async function realOrganization(): Promise<SimulatedAccount> {
  return new SimulatedAccount(demo, {
    now,
    services: ['IAM', 'STS', 'ORGANIZATIONS'],
    sdkMiddleware: true,
    authorization: {
      policies: await deploymentPolicies(config),
      caller: () => {
        const caller = currentCaller();
        return caller && callerKey(caller);
      },
    },
  });
}

const decisions = (run: WorkflowRun) =>
  Object.fromEntries(
    accountReportsOf(run).flatMap((report) =>
      report.entries.map((e) => [
        `${report.accountId ?? ''} ${e.userName} ${e.maskedAccessKeyId}`,
        `${e.action}/${e.rule}/${e.result}`,
      ]),
    ),
  );

const calls = (list: readonly { service: string; operation: string }[]) =>
  list
    .filter((c) => GUARDED.has(c.service))
    .map((c) => `${c.service}.${c.operation}`)
    .sort();

describe('a plan of the demo organization', () => {
  let org: SimulatedAccount;
  let log: PlanCallLog;
  let plan: WorkflowRun;
  let started: WorkflowRun;

  beforeAll(async () => {
    expect(isOrganizationFile(demo)).toBe(true);
    org = (await realOrganization()).install();
    log = new PlanCallLog();
    try {
      plan = await runOrganizationPlan({
        config,
        clients: planOrganizationClients({ log, organization: config.organization }),
        hubAccountId: HUB,
        now,
        version: 'plan-test',
        calls: () => log.calls,
        reportPolling: NO_WAITS,
      });
    } finally {
      org.uninstall();
    }
    started = await runWorkflow({ account: demo, config: { ...config, mode: 'report' } });
  });

  it('plans every account it can reach in report mode, and lists the one it cannot with its reason', () => {
    const accounts = plan.organizationReport?.accounts ?? [];
    expect(accounts.every((a) => a.mode === 'report')).toBe(true);
    expect(accounts.filter((a) => a.status === 'unreachable').map((a) => a.accountId)).toEqual([NO_ROLE]);
    expect(accounts.filter((a) => a.status === 'ok')).toHaveLength(accounts.length - 1);
    // The run fails for it (AccountsFailed), after every other account was planned.
    expect(plan.status).toBe('FAILED');
    expect(plan.error?.Error).toBe('AccountsFailed');
    const hub = { accountId: HUB, arn: `arn:aws:sts::${HUB}:assumed-role/audit/me` };
    const lines = unreachableLines(plan, plannedOrganization(config), hub);
    expect(lines[0]).toMatch(
      /^ {2}Unreachable \(1\): the role keysweep-member could not be assumed there as /,
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^ {4}${NO_ROLE} new-team: AccountUnreachable: Account ${NO_ROLE} could not be reached: sts:AssumeRole on arn:aws:iam::${NO_ROLE}:role/keysweep-member failed \\(AccessDenied: `,
      ),
    );
    // The summary lists the accounts, the unreachable one with its reason, and those left out.
    const summary = summaryLines(plan, 'plan-out', Object.keys(outputFiles(plan, { accountAfter: false })));
    expect(summary.join('\n')).toContain(`${NO_ROLE} new-team`);
    expect(summary.join('\n')).toMatch(/Left out \(2\):/);
  });

  it('decides every key as npm start does in report mode', () => {
    expect(Object.keys(decisions(plan)).length).toBeGreaterThan(10);
    expect(decisions(plan)).toEqual(decisions(started));
    expect(plan.organizationReport?.totals.byAction).toEqual(started.organizationReport?.totals.byAction);
  });

  it('writes one plan.csv row per key of every account it planned, the hub included', () => {
    const reports = accountReportsOf(plan);
    const rows = planCsv(...reports)
      .split('\r\n')
      .filter(Boolean)
      .slice(1);
    expect(rows).toHaveLength(reports.reduce((n, r) => n + r.entries.length, 0));
    expect(new Set(rows.map((row) => row.split(',')[0]))).toEqual(
      new Set(reports.filter((r) => r.entries.length > 0).map((r) => r.accountId)),
    );
    expect(rows.some((row) => row.startsWith(`${HUB},audit-bot,`))).toBe(true);
    expect(rows.some((row) => row.startsWith(`${PROD},alice,`))).toBe(true);
  });

  it('made every call through a guard, only reads, and changed nothing', () => {
    // The organization answered exactly the calls the plan's guards let through: no client without one reached it.
    expect(calls(org.calls)).toEqual(calls(log.calls));
    expect(new Set(calls(org.calls))).toEqual(
      new Set([
        'IAM.GenerateCredentialReport',
        'IAM.GetCredentialReport',
        'IAM.ListAccessKeys',
        'IAM.ListUserTags',
        'IAM.ListUsers',
        'ORGANIZATIONS.DescribeOrganization',
        'ORGANIZATIONS.ListAccounts',
        'ORGANIZATIONS.ListAccountsForParent',
        'ORGANIZATIONS.ListOrganizationalUnitsForParent',
        'ORGANIZATIONS.ListRoots',
        'ORGANIZATIONS.ListTagsForResource',
        'STS.AssumeRole',
      ]),
    );
    expect(log.refusedOperations).toEqual([]);
    expect(org.toOrganizationFile()).toEqual(demo);
  });

  it('writes no full key ID outside the reports, nor prints one', () => {
    const files = outputFiles(plan, { accountAfter: false });
    for (const [name, text] of Object.entries({ ...files, 'plan.csv': planCsv(...accountReportsOf(plan)) }))
      if (!name.endsWith('report.json'))
        expect({ name, leaks: FULL_KEY_ID.test(text) }).toEqual({ name, leaks: false });
    expect(summaryLines(plan, 'plan-out', Object.keys(files)).join('\n')).not.toMatch(FULL_KEY_ID);
  });
});

it('says what to do when the org reader role refuses the plan, and that a list of accounts needs none', async () => {
  // No KeySweepManagement stack: neither the org reader role nor the management account's member role.
  const file: OrganizationFile = structuredClone(demo);
  file.organization.accounts.push({
    accountId: file.organization.managementAccountId,
    name: 'management',
    organizationalUnit: 'Root',
    status: 'ACTIVE',
    memberRole: 'missing',
    tags: {},
    users: [],
  });
  const org = new SimulatedAccount(file, {
    now,
    services: ['IAM', 'STS', 'ORGANIZATIONS'],
    sdkMiddleware: true,
    authorization: {
      policies: await deploymentPolicies(config),
      caller: () => {
        const caller = currentCaller();
        return caller && callerKey(caller);
      },
    },
  }).install();
  let plan;
  try {
    plan = await runOrganizationPlan({
      config,
      clients: planOrganizationClients({ log: new PlanCallLog(), organization: config.organization }),
      hubAccountId: HUB,
      now,
      version: 'plan-test',
      reportPolling: NO_WAITS,
    });
  } finally {
    org.uninstall();
  }
  expect(plan.status).toBe('FAILED');
  expect(plan.organizationReport).toBeNull();
  const hub = { accountId: HUB, arn: `arn:aws:sts::${HUB}:assumed-role/audit/me` };
  expect(listingFailedLines(plan, plannedOrganization(config), hub)).toEqual([
    `  The organization could not be listed: the org reader role arn:aws:iam::999999999999:role/keysweep-org-reader could not be assumed as ${hub.arn}. ` +
      'Its trust must allow this principal (keysweep deploys it trusting only the hub’s list-accounts function, ' +
      'and organization.planPrincipals once set); ' +
      'or plan a list of accounts (organization.accounts in --config), which needs no Organizations access.',
  ]);
  expect(org.calls.filter((c) => c.service === 'ORGANIZATIONS')).toEqual([]);
});

describe('an organization plan that a bug asks to act', () => {
  it('refuses every deactivation at its clients: no account changes', async () => {
    const org = (await realOrganization()).install();
    const log = new PlanCallLog();
    const local = new SimulatedAccount(
      { users: [] },
      { now, services: ['S3', 'SES'], ses: { verifiedIdentities: ['example.com'], sandbox: false } },
    ).install();
    let execution;
    try {
      // The plan's clients, but the organization state machine run in enforce mode, as a bug in run-plan.ts might.
      execution = await executeOrganizationSweep({
        config: {
          ...config,
          mode: 'enforce',
          organization: { ...config.organization, accountOverrides: {} },
        },
        input: {},
        now,
        executionName: 'plan-bug',
        version: 'plan-test',
        bucket: LOCAL_BUCKET,
        ...planOrganizationClients({ log, organization: config.organization }),
        reportPolling: NO_WAITS,
        accountId: HUB,
      });
    } finally {
      local.uninstall();
      org.uninstall();
    }
    expect(execution.status).toBe('FAILED');
    expect(new Set(log.refusedOperations)).toEqual(new Set(['IAM.UpdateAccessKey']));
    expect(org.calls.filter((c) => c.service === 'IAM' && !/^(List|Get|Generate)/.test(c.operation))).toEqual(
      [],
    );
    expect(org.toOrganizationFile()).toEqual(demo);
  });

  it('has each member session refuse a write itself, without the guard (its session policy)', async () => {
    const org = (await realOrganization()).install();
    try {
      const { accountIam } = planOrganizationClients({
        log: new PlanCallLog(),
        organization: config.organization,
      });
      const iam = await runAs({ kind: 'function', name: 'deactivate-key' }, () =>
        accountIam(
          {
            accountId: PROD,
            executionId: `arn:aws:states:us-east-1:${HUB}:execution:KeySweep-KeySweep:plan-bug`,
            executionName: 'plan-bug',
          },
          'deactivate-key',
        ),
      );
      iam.middlewareStack.remove(READ_ONLY_GUARD);
      const alice = demo.organization.accounts
        .find((a) => a.accountId === PROD)
        ?.users.find((u) => u.userName === 'alice')?.accessKeys?.[0]?.accessKeyId;
      await expect(
        iam.send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: alice, Status: 'Inactive' })),
      ).rejects.toThrow(/because no session policy allows the iam:UpdateAccessKey action$/);
      expect(org.toOrganizationFile()).toEqual(demo);
    } finally {
      org.uninstall();
    }
  });
});
