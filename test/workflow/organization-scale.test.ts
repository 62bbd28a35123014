/**
 * The organization run's scale targets that are counts, at a size CI runs in reasonable time (the
 * benchmark runs 1,000 accounts × 20 users and 100 × 1,000): history events in any execution, the
 * largest state payload, and on a quiet day the transitions, Lambda invocations and IAM, STS and
 * Organizations calls per account; on a first rollout every key handled within the same limits.
 */
import { runOrganizationScenario } from '../../bench/scenarios';
import { accountApiCalls, checkOrganizationTargets } from '../../bench/targets';
import type { OrganizationFile } from '../../local/simulated-account';

jest.setTimeout(600_000);

it('a quiet day over 40 accounts: at most 10 transitions, 3 invocations and 8 account API calls an account, one execution each', async () => {
  const result = await runOrganizationScenario(40, 20, 'quiet-day');
  expect(result.run.status).toBe('SUCCEEDED');
  expect(checkOrganizationTargets(result).filter((c) => !c.met)).toEqual([]);
  const n = result.accounts;
  expect(result.run.stats.transitions.total).toBeLessThanOrEqual(10 * n + 50);
  expect(result.run.stats.lambdaInvocations.total).toBeLessThanOrEqual(3 * n + 50);
  expect(accountApiCalls(result.run.stats)).toBeLessThanOrEqual(8 * n);
  // one plan execution an account, nothing to act on; the credential report path in each
  expect(result.run.accountExecutions.map((e) => e.executionName.split('-')[1])).toEqual(
    Array(n).fill('plan'),
  );
  expect(result.run.stats.awsCalls['IAM.ListAccessKeys'] ?? 0).toBe(0);
  expect(result.run.stats.historyEvents.largestExecution).toBeLessThanOrEqual(5000);
  expect(result.run.stats.payloadBytes.largest).toBeLessThanOrEqual(32 * 1024);
});

it('a first rollout over 20 accounts: every key deactivated, within the history and payload limits', async () => {
  const result = await runOrganizationScenario(20, 30, 'first-rollout');
  expect(result.run.status).toBe('SUCCEEDED');
  expect(checkOrganizationTargets(result).filter((c) => !c.met)).toEqual([]);
  const after = result.run.account.toFile() as OrganizationFile;
  const keys = after.organization.accounts.flatMap((a) => a.users.flatMap((u) => u.accessKeys ?? []));
  expect(keys).toHaveLength(result.staleKeys);
  expect(keys.every((k) => k.status === 'Inactive')).toBe(true);
  expect(result.run.organizationReport?.totals.byResult.done).toBe(result.staleKeys);
  // a plan and an act execution for each account with keys (the management account has none)
  expect(result.run.accountExecutions.filter((e) => e.executionName.includes('-act-'))).toHaveLength(21);
});
