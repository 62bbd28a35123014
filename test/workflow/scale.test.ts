/**
 * The scale targets at 5,000 users × 2 keys that are counts (the benchmark also times the run;
 * a test never does): history events per execution, payload size, IAM calls (ListUsers among them),
 * transitions and Lambda invocations on a quiet day, and every stale key handled on a first rollout.
 */
import { runScenario } from '../../bench/scenarios';
import { MAX_HTML_BYTES } from '../../functions/send-report/render-admin-email';
import { checkTargets } from '../../bench/targets';
import { iamCallCount } from '../../local/run-stats';

jest.setTimeout(300_000);

describe('5,000 users with 2 keys each', () => {
  it('first rollout: every key deactivated within the history, payload and IAM-call limits', async () => {
    const result = await runScenario(5000, 'first-rollout');
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.run.report?.counts.byResult).toMatchObject({ done: 10_000, failed: 0 });
    const after = result.run.account.toAccountFile();
    expect(after.users.flatMap((u) => u.accessKeys ?? []).every((k) => k.status === 'Inactive')).toBe(true);

    const missed = checkTargets(result).filter((c) => !c.met && !c.target.startsWith('local wall time'));
    expect(missed).toEqual([]);
    expect(result.run.stats.historyEvents.largestExecution).toBeLessThanOrEqual(5000);
    expect(result.run.stats.payloadBytes.largest).toBeLessThanOrEqual(32 * 1024);
    // 4 a key: find reads each user's keys and tags (2 keys a user), act re-reads the key and the tags
    expect(iamCallCount(result.run.stats)).toBeLessThanOrEqual(4 * 10_000 + 20);
    // the distributed maps keep each child's history apart: 100 batches of 50 users, twice
    expect(result.run.stats.transitions.executions).toBe(201);
    // the summary names the first keys of each list, the rest are in the report, and Gmail shows it whole
    const email = result.run.emails[0];
    expect(email?.text).toMatch(/\.\.\. and \d+ more in the report, s3:\/\//);
    expect(Buffer.byteLength(email?.html ?? '')).toBeLessThanOrEqual(MAX_HTML_BYTES);
    expect(Buffer.byteLength(email?.text ?? '')).toBeLessThanOrEqual(MAX_HTML_BYTES);
  });

  it('quiet day: a handful of transitions, invocations and IAM calls, within the free tier', async () => {
    const result = await runScenario(5000, 'quiet-day');
    expect(result.run.status).toBe('SUCCEEDED');
    expect(result.run.report?.discovery.source).toBe('credential-report');
    expect(checkTargets(result).filter((c) => !c.met)).toEqual([]);
    expect(result.run.stats.transitions.total).toBeLessThanOrEqual(60);
    expect(result.run.stats.lambdaInvocations.total).toBeLessThanOrEqual(60);
    expect(iamCallCount(result.run.stats)).toBeLessThanOrEqual(20);
    // GenerateCredentialReport, GetCredentialReport, and ListUsers to its last page (5 × 1,000)
    expect(result.run.stats.awsCalls).toMatchObject({
      'IAM.GenerateCredentialReport': 1,
      'IAM.GetCredentialReport': 1,
      'IAM.ListUsers': 5,
    });
    expect(result.run.report?.discovery).toMatchObject({ usersInAccount: 5000, usersToRead: 0 });
  });
});
