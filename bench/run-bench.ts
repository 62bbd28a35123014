/**
 * `npm run bench`: the local workflow on generated accounts of 100, 1,000 and 5,000 users (2 keys
 * each), on a quiet day and on a first rollout. Prints a table with the targets and writes
 * bench/results.json. Exits non-zero when a target is missed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  runOrganizationScenario,
  runScenario,
  type OrganizationScenarioRun,
  type ScenarioRun,
} from './scenarios';
import { iamCallCount } from '../local/run-stats';
import { accountApiCalls, checkOrganizationTargets, checkTargets, type TargetCheck } from './targets';

const SIZES = [100, 1000, 5000];
const SCENARIOS = ['quiet-day', 'first-rollout'] as const;
/** Organizations: member accounts × users in each (the hub and the management account are swept too). */
const ORGANIZATIONS: readonly [number, number][] = [
  [1000, 20],
  [100, 1000],
];
const ONLY = process.argv.includes('--organizations')
  ? 'organizations'
  : process.argv.includes('--accounts')
    ? 'accounts'
    : 'all';

// The AWS SDK warns that it will soon need Node 22; the Lambdas run on Node 22, here it is noise.
process.removeAllListeners('warning');

function row(result: ScenarioRun): string[] {
  const s = result.run.stats;
  return [
    String(result.users),
    result.scenario,
    result.run.status,
    (s.wallMs / 1000).toFixed(1),
    String(s.lambdaInvocations.total),
    String(iamCallCount(s)),
    String(s.awsCalls.total),
    String(s.transitions.total),
    String(s.transitions.largestExecution),
    String(s.historyEvents.largestExecution),
    (s.payloadBytes.largest / 1024).toFixed(1),
    s.estimatedCostUsd.perRun.toFixed(4),
    s.estimatedCostUsd.per30Days.toFixed(2),
    s.estimatedCostUsd.per30DaysWithinFreeTier.toFixed(2),
  ];
}

const HEADERS = [
  'users',
  'scenario',
  'status',
  'wall s',
  'Lambda',
  'IAM calls',
  'AWS calls',
  'transitions',
  'largest exec transitions',
  'largest exec history events',
  'largest payload KiB',
  '$ per run',
  '$ per 30 days',
  '$ per 30 days after free tier',
];

function table(rows: string[][], headers: string[] = HEADERS): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const ORG_HEADERS = [
  'accounts',
  'users each',
  'scenario',
  'status',
  'wall s',
  'Lambda',
  'IAM+STS+Org calls',
  'STS',
  'Organizations',
  'transitions',
  'executions',
  'largest exec history events',
  'largest payload KiB',
  '$ per run',
  '$ per 30 days',
  '$ per 30 days after free tier',
];

function organizationRow(result: OrganizationScenarioRun): string[] {
  const s = result.run.stats;
  const organizations = Object.entries(s.awsCalls)
    .filter(([name]) => name.startsWith('ORGANIZATIONS.'))
    .reduce((sum, [, n]) => sum + n, 0);
  return [
    String(result.accounts),
    String(result.users),
    result.scenario,
    result.run.status,
    (s.wallMs / 1000).toFixed(1),
    String(s.lambdaInvocations.total),
    String(accountApiCalls(s)),
    String(s.awsCalls['STS.AssumeRole'] ?? 0),
    String(organizations),
    String(s.transitions.total),
    String(s.transitions.executions),
    String(s.historyEvents.largestExecution),
    (s.payloadBytes.largest / 1024).toFixed(1),
    s.estimatedCostUsd.perRun.toFixed(4),
    s.estimatedCostUsd.per30Days.toFixed(2),
    s.estimatedCostUsd.per30DaysWithinFreeTier.toFixed(2),
  ];
}

function printChecks(title: string, checks: TargetCheck[]): number {
  let missed = 0;
  for (const c of checks) {
    if (!c.met) missed++;
    console.log(`  ${c.met ? 'met   ' : 'MISSED'} ${title}: ${c.target}: ${c.actual} (target ≤ ${c.limit})`);
  }
  return missed;
}

async function main(): Promise<number> {
  const results: ScenarioRun[] = [];
  const organizations: OrganizationScenarioRun[] = [];
  for (const users of ONLY === 'organizations' ? [] : SIZES) {
    for (const scenario of SCENARIOS) {
      process.stderr.write(`running ${scenario} with ${users} users...\n`);
      results.push(await runScenario(users, scenario));
    }
  }
  for (const [accounts, users] of ONLY === 'accounts' ? [] : ORGANIZATIONS) {
    for (const scenario of SCENARIOS) {
      process.stderr.write(
        `running ${scenario} in an organization of ${accounts} accounts × ${users} users...\n`,
      );
      const result = await runOrganizationScenario(accounts, users, scenario);
      process.stderr.write(`  ${result.run.status} in ${(result.run.stats.wallMs / 1000).toFixed(0)} s\n`);
      organizations.push(result);
    }
  }
  let missed = 0;
  if (results.length > 0) {
    console.log(table(results.map(row)));
    console.log('\nTargets at 5,000 users × 2 keys:');
    for (const result of results.filter((r) => r.users === 5000))
      missed += printChecks(result.scenario, checkTargets(result));
  }
  if (organizations.length > 0) {
    console.log(`\nOrganizations (accounts swept: the members, the hub and the management account):\n`);
    console.log(table(organizations.map(organizationRow), ORG_HEADERS));
    console.log('\nTargets of an organization run:');
    for (const result of organizations) {
      missed += printChecks(
        `${result.accounts} accounts × ${result.users} users, ${result.scenario}`,
        checkOrganizationTargets(result),
      );
    }
  }
  const prices = (results[0] ?? organizations[0])?.run.stats.estimatedCostUsd;
  if (prices) {
    console.log(`\nUnit prices: ${JSON.stringify(prices.unitPrices)}`);
    console.log(`Free tier a month: ${JSON.stringify(prices.freeTierPerMonth)}`);
    console.log(prices.notes);
  }
  const file = path.join(__dirname, 'results.json');
  if (results.length > 0)
    writeFileSync(
      file,
      `${JSON.stringify(
        results.map((r) => ({
          users: r.users,
          scenario: r.scenario,
          status: r.run.status,
          staleKeys: r.staleKeys,
          stats: r.run.stats,
          targets: r.users === 5000 ? checkTargets(r) : undefined,
        })),
        null,
        2,
      )}\n`,
    );
  if (organizations.length > 0) {
    const orgFile = path.join(__dirname, 'organization-results.json');
    writeFileSync(
      orgFile,
      `${JSON.stringify(
        organizations.map((r) => ({
          accounts: r.accounts,
          usersPerAccount: r.users,
          scenario: r.scenario,
          status: r.run.status,
          staleKeys: r.staleKeys,
          stats: r.run.stats,
          targets: checkOrganizationTargets(r),
        })),
        null,
        2,
      )}\n`,
    );
    console.log(`Wrote ${path.relative(process.cwd(), orgFile)}`);
  }
  if (results.length > 0) console.log(`Wrote ${path.relative(process.cwd(), file)}`);
  return missed === 0 && [...results, ...organizations].every((r) => r.run.status === 'SUCCEEDED') ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
