/** The scale targets at 5,000 users × 2 keys, checked against a scenario's statistics. */
import { iamCallCount } from '../local/run-stats';
import type { OrganizationScenarioRun, ScenarioRun } from './scenarios';

export interface TargetCheck {
  target: string;
  limit: number;
  actual: number;
  met: boolean;
}

/** Targets that apply at every size, and those stated for 5,000 users only (wall time, cost). */
export function checkTargets(result: ScenarioRun): TargetCheck[] {
  const { stats } = result.run;
  const iamCalls = iamCallCount(stats);
  const check = (target: string, actual: number, limit: number): TargetCheck => ({
    target,
    limit,
    actual,
    met: actual <= limit,
  });
  const checks = [
    check('events in any single execution history', stats.historyEvents.largestExecution, 5000),
    check('largest state input or output (bytes)', stats.payloadBytes.largest, 32 * 1024),
  ];
  if (result.scenario === 'quiet-day') {
    checks.push(
      check('state transitions', stats.transitions.total, 60),
      check('Lambda invocations', stats.lambdaInvocations.total, 60),
      check('IAM calls', iamCalls, 20),
      // the fast path lists every user too (MaxItems 1,000), so no user is invisible to it
      check(
        'ListUsers calls (1,000 users a page)',
        stats.awsCalls['IAM.ListUsers'] ?? 0,
        Math.ceil(result.users / 1000),
      ),
      check(
        '30 quiet days: cost beyond the free tier (USD)',
        stats.estimatedCostUsd.per30DaysWithinFreeTier,
        0,
      ),
    );
  } else {
    // per stale key: its share of the user's ListAccessKeys and ListUserTags (find), then ListAccessKeys,
    // ListUserTags (the exemption, read again) and UpdateAccessKey (act)
    checks.push(check('IAM calls (4 per stale key + 20)', iamCalls, 4 * result.staleKeys + 20));
    if (result.users >= 5000) checks.push(check('local wall time (ms)', stats.wallMs, 20_000));
  }
  return checks;
}

/** The IAM, STS and Organizations calls of a run. */
export function accountApiCalls(stats: ScenarioRun['run']['stats']): number {
  return Object.entries(stats.awsCalls)
    .filter(([name]) => /^(IAM|STS|ORGANIZATIONS)\./.test(name))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** The organization targets (issue 11), per account swept, checked against a scenario's statistics. */
export function checkOrganizationTargets(result: OrganizationScenarioRun): TargetCheck[] {
  const { stats } = result.run;
  const n = result.accounts;
  const check = (target: string, actual: number, limit: number): TargetCheck => ({
    target,
    limit,
    actual,
    met: actual <= limit,
  });
  const checks = [
    check('events in any single execution history', stats.historyEvents.largestExecution, 5000),
    check('largest state input or output (bytes)', stats.payloadBytes.largest, 32 * 1024),
  ];
  if (result.scenario === 'quiet-day') {
    checks.push(
      check('state transitions (10 per account + 50)', stats.transitions.total, 10 * n + 50),
      check('Lambda invocations (3 per account + 50)', stats.lambdaInvocations.total, 3 * n + 50),
      check('IAM, STS and Organizations calls (8 per account)', accountApiCalls(stats), 8 * n),
    );
  }
  return checks;
}
