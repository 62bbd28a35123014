/**
 * `npm run bench`: the local workflow on generated accounts of 100, 1,000 and 5,000 users (2 keys
 * each), on a quiet day and on a first rollout. Prints a table with the targets and writes
 * bench/results.json. Exits non-zero when a target is missed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runScenario, type ScenarioRun } from './scenarios';
import { iamCallCount } from '../local/run-stats';
import { checkTargets } from './targets';

const SIZES = [100, 1000, 5000];
const SCENARIOS = ['quiet-day', 'first-rollout'] as const;

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

function table(rows: string[][]): string {
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(HEADERS), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const results: ScenarioRun[] = [];
  for (const users of SIZES) {
    for (const scenario of SCENARIOS) {
      process.stderr.write(`running ${scenario} with ${users} users...\n`);
      results.push(await runScenario(users, scenario));
    }
  }
  console.log(table(results.map(row)));
  console.log('\nTargets at 5,000 users × 2 keys:');
  let missed = 0;
  for (const result of results.filter((r) => r.users === 5000)) {
    for (const c of checkTargets(result)) {
      if (!c.met) missed++;
      console.log(
        `  ${c.met ? 'met   ' : 'MISSED'} ${result.scenario}: ${c.target}: ${c.actual} (target ≤ ${c.limit})`,
      );
    }
  }
  const prices = results[0]?.run.stats.estimatedCostUsd;
  if (prices) {
    console.log(`\nUnit prices: ${JSON.stringify(prices.unitPrices)}`);
    console.log(`Free tier a month: ${JSON.stringify(prices.freeTierPerMonth)}`);
    console.log(prices.notes);
  }
  const file = path.join(__dirname, 'results.json');
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
  console.log(`\nWrote ${path.relative(process.cwd(), file)}`);
  return missed === 0 && results.every((r) => r.run.status === 'SUCCEEDED') ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
