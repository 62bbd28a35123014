import { IAMServiceException } from '@aws-sdk/client-iam';
import {
  isRetryable,
  isThrottling,
  retryOptionsFromEnv,
  withinInvocation,
  withRetry,
  type RetryOptions,
} from '../../../functions/shared/retry';
import { IAM_ATTEMPT_MS, KEYSWEEP_RETRY, RETRY_RESERVE_MS } from '../../../functions/shared/retry-budget';
import { noSuchEntity, throttlingError } from '../fixtures';

/** A call that fails with the given errors, in turn, then returns 'ok'. */
function failing(errors: unknown[]) {
  const call = jest.fn(async () => {
    const next = errors.shift();
    if (next !== undefined) throw next;
    return 'ok';
  });
  return call;
}

describe('isThrottling', () => {
  it.each([
    ['Throttling', true],
    ['ThrottlingException', true],
    ['TooManyRequestsException', true],
    ['RequestLimitExceeded', true],
    ['SlowDown', true],
    ['NoSuchEntityException', false],
    ['AccessDenied', false],
    ['Error', false],
  ])('%s → %s', (name, expected) => {
    expect(isThrottling(throttlingError(name))).toBe(expected);
  });

  it.each([
    ['a string', 'Throttling'],
    ['a plain object', { name: 'Throttling' }],
    ['undefined', undefined],
  ])('is false for %s (not an Error)', (_name, value) => {
    expect(isThrottling(value)).toBe(false);
  });
});

/** An error as the SDK surfaces a failed HTTP exchange: a name, maybe a code, maybe a status. */
function sdkError(name: string, extra: { code?: string; status?: number } = {}): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    ...(extra.code ? { code: extra.code } : {}),
    ...(extra.status ? { $metadata: { httpStatusCode: extra.status } } : {}),
  });
}

describe('isRetryable', () => {
  it.each([
    ['throttling', throttlingError()],
    ['a request timeout (node-http-handler)', sdkError('TimeoutError')],
    ['a reset connection', sdkError('Error', { code: 'ECONNRESET' })],
    ['an unreachable endpoint', sdkError('Error', { code: 'ENOTFOUND' })],
    [
      'a 503 from IAM',
      new IAMServiceException({
        name: 'ServiceUnavailable',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
      }),
    ],
  ])('retries %s', (_what, error) => {
    expect(isRetryable(error)).toBe(true);
  });

  it.each([
    ['NoSuchEntity', noSuchEntity()],
    ['AccessDenied (403)', sdkError('AccessDenied', { status: 403 })],
    ['LimitExceeded (an IAM quota, not a rate)', sdkError('LimitExceededException', { status: 409 })],
    ['an aborted request', sdkError('AbortError')],
    ['a string', 'TimeoutError'],
  ])('does not retry %s', (_what, error) => {
    expect(isRetryable(error)).toBe(false);
  });
});

describe('withRetry', () => {
  afterEach(() => jest.restoreAllMocks());

  it('returns at once when the call succeeds, without sleeping', async () => {
    const call = failing([]);
    const sleep = jest.fn(async () => undefined);
    await expect(withRetry(call, { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000, sleep })).resolves.toBe(
      'ok',
    );
    expect(call).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it.each(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'SlowDown'])(
    'retries %s and returns the later success',
    async (name) => {
      const call = failing([throttlingError(name), throttlingError(name)]);
      const sleep = jest.fn(async () => undefined);
      await expect(withRetry(call, { attempts: 3, baseDelayMs: 10, maxDelayMs: 100, sleep })).resolves.toBe(
        'ok',
      );
      expect(call).toHaveBeenCalledTimes(3);
      expect(sleep).toHaveBeenCalledTimes(2);
    },
  );

  it('gives up after `attempts` calls and throws the last throttling error', async () => {
    const last = throttlingError();
    const call = failing([throttlingError(), throttlingError(), last, throttlingError()]);
    const sleep = jest.fn(async () => undefined);
    await expect(withRetry(call, { attempts: 3, baseDelayMs: 10, maxDelayMs: 100, sleep })).rejects.toBe(
      last,
    );
    expect(call).toHaveBeenCalledTimes(3);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['NoSuchEntity', noSuchEntity()],
    ['AccessDenied', Object.assign(new Error('not authorized'), { name: 'AccessDenied' })],
    ['a non-Error value', 'Throttling'],
  ])('never retries %s', async (_name, error) => {
    const call = failing([error]);
    const sleep = jest.fn(async () => undefined);
    await expect(withRetry(call, { attempts: 5, baseDelayMs: 10, maxDelayMs: 100, sleep })).rejects.toBe(
      error,
    );
    expect(call).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('retries a transient error (a request timeout) like throttling', async () => {
    const call = failing([sdkError('TimeoutError'), sdkError('Error', { code: 'ECONNRESET' })]);
    const sleep = jest.fn(async () => undefined);
    await expect(withRetry(call, { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep })).resolves.toBe('ok');
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('stops at the first error that is not throttling, even after throttling', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    const call = failing([throttlingError(), denied]);
    const sleep = jest.fn(async () => undefined);
    await expect(withRetry(call, { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, sleep })).rejects.toBe(denied);
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('backs off exponentially with full jitter, capped at maxDelayMs', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    const call = failing([throttlingError(), throttlingError(), throttlingError(), throttlingError()]);
    const sleep = jest.fn(async (_ms: number) => undefined);
    await withRetry(call, { attempts: 5, baseDelayMs: 100, maxDelayMs: 250, sleep });
    const delays = sleep.mock.calls.map(([ms]) => Math.round(ms));
    expect(delays).toEqual([100, 200, 250, 250]);
  });

  it('sleeps a random part of the ceiling', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const call = failing([throttlingError()]);
    const sleep = jest.fn(async (_ms: number) => undefined);
    await withRetry(call, { attempts: 2, baseDelayMs: 100, maxDelayMs: 1000, sleep });
    expect(sleep).toHaveBeenCalledWith(50);
  });
});

describe('withRetry within a deadline', () => {
  afterEach(() => jest.restoreAllMocks());

  /** Options whose every backoff is exactly `delay` ms, with `left` ms remaining, then less each call. */
  function within(left: number[], delay = 100): RetryOptions {
    jest.spyOn(Math, 'random').mockReturnValue(0.999999999);
    return {
      attempts: 8,
      baseDelayMs: delay,
      maxDelayMs: delay,
      sleep: async () => undefined,
      deadline: { remainingMs: () => left.shift() ?? 0, attemptMs: 3_000, reserveMs: 10_000 },
    };
  }

  it('retries while the time left covers the backoff, one more attempt and the reserve', async () => {
    const call = failing([throttlingError(), throttlingError()]);
    await expect(withRetry(call, within([13_100, 13_100]))).resolves.toBe('ok');
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('rethrows the last error, untouched, once another attempt would eat into the reserve', async () => {
    const last = throttlingError();
    const call = failing([throttlingError(), last, throttlingError()]);
    const options = within([13_100, 13_099]);
    await expect(withRetry(call, options)).rejects.toBe(last);
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('never delays the first attempt, whatever the time left', async () => {
    const call = failing([]);
    await expect(withRetry(call, within([0]))).resolves.toBe('ok');
    expect(call).toHaveBeenCalledTimes(1);
  });
});

describe('withinInvocation', () => {
  it("sets the deadline from the Lambda context and the function's reserve", () => {
    let left = 25_000;
    const options = withinInvocation(retryOptionsFromEnv(), 'deactivate-key', {
      getRemainingTimeInMillis: () => left,
    });
    expect(options).toMatchObject({
      attempts: KEYSWEEP_RETRY.attempts,
      maxDelayMs: KEYSWEEP_RETRY.maxDelayMs,
    });
    expect(options.deadline).toMatchObject({
      attemptMs: IAM_ATTEMPT_MS,
      reserveMs: RETRY_RESERVE_MS['deactivate-key'],
    });
    left = 7_000;
    expect(options.deadline?.remainingMs()).toBe(7_000);
  });
});

describe('retryOptionsFromEnv', () => {
  const saved = process.env.KEYSWEEP_RETRY_BASE_MS;
  afterEach(() => {
    if (saved === undefined) delete process.env.KEYSWEEP_RETRY_BASE_MS;
    else process.env.KEYSWEEP_RETRY_BASE_MS = saved;
  });

  it.each([
    ['25', 25],
    ['0', 0],
    ['-5', 200],
    ['fast', 200],
  ])('reads KEYSWEEP_RETRY_BASE_MS=%j as base %i', (value, base) => {
    process.env.KEYSWEEP_RETRY_BASE_MS = value;
    expect(retryOptionsFromEnv()).toEqual({ attempts: 8, baseDelayMs: base, maxDelayMs: 5_000 });
  });

  it('defaults the base to 200 ms', () => {
    delete process.env.KEYSWEEP_RETRY_BASE_MS;
    expect(retryOptionsFromEnv().baseDelayMs).toBe(200);
  });
});
