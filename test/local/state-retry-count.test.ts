/** $$.State.RetryCount in a local run, which aws-local-stepfunctions leaves out of the Context object. */
import { retryCountPaths, StateRetryCounter } from '../../local/state-retry-count';

describe('$$.State.RetryCount in a local run', () => {
  const parameters = {
    FunctionName: 'arn',
    Payload: { 'run.$': '$.run', 'key.$': '$.key', 'retryCount.$': '$$.State.RetryCount' },
  };

  it('finds where a state’s Parameters put the retry count', () => {
    expect(retryCountPaths(parameters)).toEqual([['Payload', 'retryCount']]);
    expect(retryCountPaths({ 'Payload.$': '$' })).toEqual([]);
    expect(retryCountPaths(undefined)).toEqual([]);
  });

  it('counts the attempts of one state with one input: 0, then 1, 2; each item apart', () => {
    const counter = new StateRetryCounter({ DeactivateKey: { Parameters: parameters }, Other: {} });
    const input = (key: string) => ({ FunctionName: 'arn', Payload: { run: { r: 1 }, key, retryCount: 0 } });
    const count = (state: string, key: string) =>
      (counter.stamp(state, input(key)) as { Payload: { retryCount: number } }).Payload.retryCount;
    expect([count('DeactivateKey', 'a'), count('DeactivateKey', 'a'), count('DeactivateKey', 'b')]).toEqual([
      0, 1, 0,
    ]);
    expect(count('DeactivateKey', 'a')).toBe(2);
    // a state without $$.State.RetryCount is passed through untouched
    const other = input('a');
    expect(counter.stamp('Other', other)).toBe(other);
  });

  it('does not change the input it was given', () => {
    const counter = new StateRetryCounter({ DeactivateKey: { Parameters: parameters } });
    const input = { FunctionName: 'arn', Payload: { key: 'a', retryCount: 0 } };
    counter.stamp('DeactivateKey', input);
    counter.stamp('DeactivateKey', input);
    expect(input.Payload.retryCount).toBe(0);
  });
});
