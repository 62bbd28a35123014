/**
 * The benchmark's scenarios: generated accounts of N users with 2 keys each. "Quiet day": nothing
 * stale, measured on the day after a first run (so the key index exists and the credential report
 * is used, as on six days of seven). "First rollout": every key stale, the breaker raised, one run.
 */
import { parseConfig, type KeysweepConfig } from '../functions/shared/config';
import { bucketObjectsOf, runWorkflow, type WorkflowRun } from '../local/run-workflow';
import { generateAccount, generateOrganization, type OrganizationFile } from '../local/simulated-account';

export type Scenario = 'quiet-day' | 'first-rollout';

/** A Friday: not the weekly full-scan day (SUN). */
export const BENCH_NOW = new Date('2026-11-27T08:00:00Z');
const DAY_MS = 86_400_000;

/** IAM returns up to MaxItems (1,000) users a page in practice; the tests exercise shorter pages. */
const LIST_USERS_PAGE_SIZE = 1000;

export function benchConfig(overrides: Record<string, unknown> = {}): KeysweepConfig {
  return parseConfig(
    { adminEmails: ['security-admins@example.com'], senderEmail: 'keysweep@example.com', ...overrides },
    'bench',
  );
}

export interface ScenarioRun {
  users: number;
  scenario: Scenario;
  staleKeys: number;
  run: WorkflowRun;
}

export async function runScenario(users: number, scenario: Scenario): Promise<ScenarioRun> {
  if (scenario === 'first-rollout') {
    const account = generateAccount({ users, now: BENCH_NOW, scenario: 'stale' });
    const run = await runWorkflow({
      account,
      config: benchConfig({ maxActionsPerRun: users * 2 }),
      now: BENCH_NOW,
      listUsersPageSize: LIST_USERS_PAGE_SIZE,
      executionName: `bench-first-rollout-${users}`,
    });
    return { users, scenario, staleKeys: users * 2, run };
  }
  // The previous day's run builds the key index; the measured run is the next day's.
  const previousDay = new Date(BENCH_NOW.getTime() - DAY_MS);
  const account = generateAccount({ users, now: BENCH_NOW, scenario: 'quiet' });
  const config = benchConfig();
  const first = await runWorkflow({
    account: { ...account, now: previousDay.toISOString() },
    config,
    now: previousDay,
    listUsersPageSize: LIST_USERS_PAGE_SIZE,
    executionName: `bench-previous-day-${users}`,
  });
  const run = await runWorkflow({
    account: { ...first.account.toAccountFile(), now: BENCH_NOW.toISOString(), credentialReportAgeHours: 1 },
    config,
    now: BENCH_NOW,
    listUsersPageSize: LIST_USERS_PAGE_SIZE,
    bucketObjects: bucketObjectsOf(first),
    executionName: `bench-quiet-day-${users}`,
  });
  return { users, scenario, staleKeys: 0, run };
}

/** An organization scenario: `accounts` member accounts (plus the hub and the management account). */
export interface OrganizationScenarioRun extends ScenarioRun {
  accounts: number;
}

/** The organization settings of the benchmark's generated organization. */
export function benchOrganizationConfig(overrides: Record<string, unknown> = {}): KeysweepConfig {
  const { organization, ...rest } = overrides as { organization?: Record<string, unknown> };
  return benchConfig({
    ...rest,
    organization: {
      enabled: true,
      organizationId: 'o-keysweep00',
      hubAccountId: '123456789012',
      managementAccountId: '999999999999',
      rootId: 'r-ab12',
      ...organization,
    },
  });
}

/** Accounts the run sweeps: the members, the hub and the management account. */
export const sweptAccounts = (accounts: number): number => accounts + 2;

export async function runOrganizationScenario(
  accounts: number,
  usersPerAccount: number,
  scenario: Scenario,
): Promise<OrganizationScenarioRun> {
  const swept = sweptAccounts(accounts);
  const name = `${accounts}x${usersPerAccount}`;
  if (scenario === 'first-rollout') {
    const file = generateOrganization({ accounts, usersPerAccount, now: BENCH_NOW, scenario: 'stale' });
    const keys = (accounts + 1) * usersPerAccount * 2;
    const run = await runWorkflow({
      account: file,
      config: benchOrganizationConfig({
        maxActionsPerRun: usersPerAccount * 2,
        organization: { maxActionsPerOrgRun: keys },
      }),
      now: BENCH_NOW,
      listUsersPageSize: LIST_USERS_PAGE_SIZE,
      executionName: `bench-org-first-rollout-${name}`,
    });
    return { users: usersPerAccount, accounts: swept, scenario, staleKeys: keys, run };
  }
  const previousDay = new Date(BENCH_NOW.getTime() - DAY_MS);
  // Quiet as of the measured day (no key near a limit then), swept the day before too.
  const file = generateOrganization({ accounts, usersPerAccount, now: BENCH_NOW, scenario: 'quiet' });
  const config = benchOrganizationConfig();
  const first = await runWorkflow({
    account: { ...file, now: previousDay.toISOString() },
    config,
    now: previousDay,
    listUsersPageSize: LIST_USERS_PAGE_SIZE,
    executionName: `bench-org-previous-day-${name}`,
  });
  const after = first.account.toFile() as OrganizationFile;
  for (const account of after.organization.accounts) account.credentialReportAgeHours = 1;
  const run = await runWorkflow({
    account: { ...after, now: BENCH_NOW.toISOString() },
    config,
    now: BENCH_NOW,
    listUsersPageSize: LIST_USERS_PAGE_SIZE,
    bucketObjects: bucketObjectsOf(first),
    executionName: `bench-org-quiet-day-${name}`,
  });
  return { users: usersPerAccount, accounts: swept, scenario, staleKeys: 0, run };
}
