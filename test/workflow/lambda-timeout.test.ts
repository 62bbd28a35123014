/**
 * A DeactivateKey invocation that Lambda kills on its timeout, through the real ASL: Step
 * Functions retries it (Lambda.Unknown / Sandbox.Timedout), the retry re-checks the key, and a
 * key that the killed attempt had already changed is reported done, not failed. The timeout is
 * the simulated account's timeOutAfter fault: the call's effect applies, then the invocation dies.
 */
import { currentCaller } from '../../local/callers';
import type { LambdaTimeoutErrorName } from '../../local/lambda-invocation';
import { runWorkflow } from '../../local/run-workflow';
import type { SimulatedCall } from '../../local/simulated-account';
import {
  account,
  config,
  daysAgo,
  key,
  keyId,
  keyIndexObjects,
  keysOf,
  user,
  writeCalls,
} from './sweep-fixtures';

jest.setTimeout(60_000);

const byDeactivateKey = () => {
  const caller = currentCaller();
  return caller?.kind === 'function' && caller.name === 'deactivate-key';
};

/** A timeOutAfter fault that fires once, on the first call `matches` accepts. */
function once(matches: (call: { operation: string; input: Record<string, unknown> }) => boolean) {
  let fired = false;
  return (call: { operation: string; input: Record<string, unknown> }) => {
    if (fired || !matches(call)) return false;
    fired = true;
    return true;
  };
}

const callsOf = (calls: readonly SimulatedCall[], operation: string, userName: string) =>
  calls.filter((c) => c.operation === operation && c.input.UserName === userName && c.outcome === 'ok');

const twoStaleUsers = () => account([user('alice', [key(1, 120)]), user('bob', [key(2, 130)])]);

describe('a DeactivateKey invocation that times out', () => {
  it.each<LambdaTimeoutErrorName>(['Sandbox.Timedout', 'Lambda.Unknown', 'TimeoutError'])(
    'after UpdateAccessKey went through (%s) is retried, and the re-check records the key as done',
    async (lambdaTimeoutError) => {
      const run = await runWorkflow({
        account: twoStaleUsers(),
        config: config(),
        faults: {
          lambdaTimeoutError,
          timeOutAfter: once(
            (call) => call.operation === 'UpdateAccessKey' && call.input.UserName === 'alice',
          ),
        },
      });
      expect(run.status).toBe('SUCCEEDED');
      expect(keysOf(run.account.toAccountFile()).get(keyId(1))?.status).toBe('Inactive');
      // the killed attempt wrote once; its retry only read
      expect(callsOf(run.account.calls, 'UpdateAccessKey', 'alice')).toHaveLength(1);
      expect(run.stats.lambdaInvocations['deactivate-key']).toBe(3);
      expect(run.report?.entries.find((e) => e.userName === 'alice')).toMatchObject({
        result: 'done',
        detail:
          'deactivated (inactive on retry 1 of this step: an earlier attempt of this step deactivated it)',
        error: null,
      });
      expect(run.report?.entries.find((e) => e.userName === 'bob')).toMatchObject({
        result: 'done',
        detail: 'deactivated',
      });
      expect(run.report?.counts.byResult).toMatchObject({ done: 2, failed: 0, skipped: 0 });
    },
  );

  it('after DeleteAccessKey went through is retried, and the key found gone is recorded as deleted', async () => {
    const erin = account([user('erin', [key(1, 300, { status: 'Inactive', lastUsedDate: undefined })])]);
    const run = await runWorkflow({
      account: erin,
      config: config({ deleteAfterDays: 180 }),
      // keysweep has seen the key inactive for 200 days
      bucketObjects: keyIndexObjects(erin, () => daysAgo(200)),
      faults: {
        timeOutAfter: once((call) => call.operation === 'DeleteAccessKey' && call.input.UserName === 'erin'),
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(keysOf(run.account.toAccountFile()).has(keyId(1))).toBe(false);
    expect(writeCalls(run.account.calls)).toEqual(['IAM.DeleteAccessKey']);
    expect(run.report?.entries[0]).toMatchObject({
      action: 'delete',
      result: 'done',
      detail: 'deleted (gone on retry 1 of this step: an earlier attempt of this step deleted it)',
    });
  });

  it('before its IAM write is retried, and the retry deactivates the key as a first attempt would', async () => {
    const run = await runWorkflow({
      account: twoStaleUsers(),
      config: config(),
      faults: {
        timeOutAfter: once(
          (call) =>
            call.operation === 'ListAccessKeys' && call.input.UserName === 'alice' && byDeactivateKey(),
        ),
      },
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(keysOf(run.account.toAccountFile()).get(keyId(1))?.status).toBe('Inactive');
    expect(callsOf(run.account.calls, 'UpdateAccessKey', 'alice')).toHaveLength(1);
    expect(run.stats.lambdaInvocations['deactivate-key']).toBe(3);
    expect(run.report?.entries.find((e) => e.userName === 'alice')).toMatchObject({
      result: 'done',
      detail: 'deactivated',
    });
  });

  it('on every attempt is retried a bounded number of times, then recorded as failed with the timeout', async () => {
    const run = await runWorkflow({
      account: twoStaleUsers(),
      config: config(),
      faults: {
        timeOutAfter: (call) =>
          call.operation === 'ListAccessKeys' && call.input.UserName === 'alice' && byDeactivateKey(),
      },
    });
    expect(run.status).toBe('FAILED');
    expect(run.error?.Error).toBe('KeysFailed');
    expect(keysOf(run.account.toAccountFile()).get(keyId(1))?.status).toBe('Active');
    // bob once, alice once and twice more (the ASL's MaxAttempts for a timeout)
    expect(run.stats.lambdaInvocations['deactivate-key']).toBe(1 + 3);
    expect(run.report?.entries.find((e) => e.userName === 'alice')).toMatchObject({
      result: 'failed',
      error: expect.stringContaining('Sandbox.Timedout (the function failed'),
    });
    expect(run.report?.entries.find((e) => e.userName === 'bob')?.result).toBe('done');
  });
});
