/**
 * The ASL file itself: valid Amazon States Language (asl-validator, JSONPath), and the real-AWS
 * details the local runner cannot check: retries on Lambda service errors and (for the key step)
 * Lambda timeouts, distributed maps with STANDARD children, a Catch per key, an execution timeout.
 */
import validator from 'asl-validator';
import { loadDefinition, placeholdersOf, ASL_PATH } from '../../local/state-machine-definition';
import { readFileSync } from 'node:fs';
import { RUN_MAX_MS } from '../../functions/shared/policy';

const text = readFileSync(ASL_PATH, 'utf8');
const substitutions = Object.fromEntries(
  placeholdersOf(text).map((name) => [
    name,
    name.endsWith('FunctionArn')
      ? `arn:aws:lambda:us-east-1:123456789012:function:${name}`
      : name.toLowerCase(),
  ]),
);
const definition = loadDefinition(substitutions);

interface State {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Retry?: {
    ErrorEquals: string[];
    BackoffRate?: number;
    IntervalSeconds?: number;
    MaxAttempts?: number;
    MaxDelaySeconds?: number;
  }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  ItemProcessor?: {
    ProcessorConfig?: { Mode?: string; ExecutionType?: string };
    States: Record<string, State>;
  };
}

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
  ]);
}
const states = allStates((definition as { States: Record<string, State> }).States);
const byName = new Map(states);

describe('statemachine/key-sweep.asl.json', () => {
  it('is valid Amazon States Language, paths included', () => {
    const result = validator(definition, { checkPaths: true, checkArn: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('is what the validator rejects once broken (the check can fail)', () => {
    const broken = JSON.parse(JSON.stringify(definition)) as { States: Record<string, { Next?: string }> };
    (broken.States.ListUsers as { Next?: string }).Next = 'NoSuchState';
    expect(validator(broken).isValid).toBe(false);
  });

  it('has the placeholders the stack substitutes, and no other', () => {
    expect(placeholdersOf(text)).toEqual([
      'CheckActionLimitFunctionArn',
      'DeactivateKeyFunctionArn',
      'FindStaleKeysFunctionArn',
      'ListUsersFunctionArn',
      'ReportBucketName',
      'SendReportFunctionArn',
      'Version',
    ]);
  });

  it('retries every Lambda task on the Lambda service errors, with backoff', () => {
    const lambdaTasks = states.filter(([, s]) => s.Resource === 'arn:aws:states:::lambda:invoke');
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual([
      'CheckActionLimit',
      'DeactivateKey',
      'FindStaleKeysOfBatch',
      'ListUsers',
      'SendReport',
    ]);
    for (const [name, state] of lambdaTasks) {
      const retried = (state.Retry ?? []).flatMap((r) => r.ErrorEquals);
      for (const error of [
        // AWS's recommended set (Step Functions best practices, "Handle Lambda service exceptions")
        'Lambda.ClientExecutionTimeoutException',
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.TooManyRequestsException',
      ]) {
        expect({ name, retried: retried.includes(error) }).toEqual({ name, retried: true });
      }
      const lambdaRetrier = state.Retry?.find((r) => r.ErrorEquals.includes('Lambda.ServiceException'));
      expect(lambdaRetrier?.BackoffRate).toBeGreaterThanOrEqual(2);
      expect(lambdaRetrier?.MaxAttempts).toBeGreaterThanOrEqual(3);
    }
  });

  it("retries a DeactivateKey that timed out (Lambda.Unknown, Sandbox.Timedout, middy's TimeoutError), a bounded number of times", () => {
    const retriers = byName.get('DeactivateKey')?.Retry ?? [];
    const timeouts = retriers.find((r) => r.ErrorEquals.includes('Lambda.Unknown'));
    expect(timeouts?.ErrorEquals).toEqual(
      expect.arrayContaining(['Lambda.Unknown', 'Sandbox.Timedout', 'TimeoutError']),
    );
    expect(timeouts?.MaxAttempts).toBeGreaterThanOrEqual(1);
    expect(timeouts?.MaxAttempts).toBeLessThanOrEqual(3);
    // Only the key step re-checks before it acts: no other Lambda task repeats a timed-out invocation.
    for (const [name, state] of states.filter(([n]) => n !== 'DeactivateKey')) {
      const retried = (state.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect({ name, retried: retried.includes('Lambda.Unknown') }).toEqual({ name, retried: false });
    }
  });

  it("passes DeactivateKey its retry count ($$.State.RetryCount), so a retry can tell an earlier attempt's change", () => {
    expect(byName.get('DeactivateKey')?.Parameters).toEqual({
      FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:DeactivateKeyFunctionArn',
      Payload: { 'run.$': '$.run', 'key.$': '$.key', 'retryCount.$': '$$.State.RetryCount' },
    });
  });

  it('bounds every retrier: a few attempts, and a capped wait when there are many', () => {
    for (const [name, state] of states) {
      for (const retrier of state.Retry ?? []) {
        const attempts = retrier.MaxAttempts ?? 3;
        expect({ name, attempts: attempts <= 6 }).toEqual({ name, attempts: true });
        if (attempts > 4)
          expect({ name, capped: retrier.MaxDelaySeconds !== undefined }).toEqual({ name, capped: true });
      }
    }
  });

  it('runs both sweeps as distributed maps with STANDARD children, so each batch has its own history', () => {
    for (const name of ['FindStaleKeys', 'ActOnKeys']) {
      expect(byName.get(name)?.ItemProcessor?.ProcessorConfig).toEqual({
        Mode: 'DISTRIBUTED',
        ExecutionType: 'STANDARD',
      });
    }
    expect(byName.get('ActOnEachKey')?.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'INLINE' });
  });

  it('catches each key on its own, and each map run, so the email always goes out', () => {
    expect(byName.get('DeactivateKey')?.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'RecordKeyFailure' }),
    ]);
    for (const name of ['FindStaleKeys', 'ActOnKeys']) {
      expect(byName.get(name)?.Catch?.[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'SendReport' });
    }
  });

  it('ends a hung execution (the ExecutionsTimedOut alarm needs a timeout) and names its version', () => {
    expect((definition as { TimeoutSeconds?: number }).TimeoutSeconds).toBe(7200);
    expect((definition as { Comment?: string }).Comment).toMatch(/^keysweep version: /);
  });

  it('lasts at most as long as the policy assumes a run lasts (a use within a run that saw a key inactive proves nothing)', () => {
    expect((definition as { TimeoutSeconds?: number }).TimeoutSeconds).toBe(RUN_MAX_MS / 1000);
  });
});
