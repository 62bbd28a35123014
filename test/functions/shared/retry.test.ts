import { isThrottling, retryOptionsFromEnv, withThrottlingRetry } from '../../../functions/shared/retry';
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

describe('withThrottlingRetry', () => {
  afterEach(() => jest.restoreAllMocks());

  it('returns at once when the call succeeds, without sleeping', async () => {
    const call = failing([]);
    const sleep = jest.fn(async () => undefined);
    await expect(
      withThrottlingRetry(call, { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000, sleep }),
    ).resolves.toBe('ok');
    expect(call).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it.each(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'SlowDown'])(
    'retries %s and returns the later success',
    async (name) => {
      const call = failing([throttlingError(name), throttlingError(name)]);
      const sleep = jest.fn(async () => undefined);
      await expect(
        withThrottlingRetry(call, { attempts: 3, baseDelayMs: 10, maxDelayMs: 100, sleep }),
      ).resolves.toBe('ok');
      expect(call).toHaveBeenCalledTimes(3);
      expect(sleep).toHaveBeenCalledTimes(2);
    },
  );

  it('gives up after `attempts` calls and throws the last throttling error', async () => {
    const last = throttlingError();
    const call = failing([throttlingError(), throttlingError(), last, throttlingError()]);
    const sleep = jest.fn(async () => undefined);
    await expect(
      withThrottlingRetry(call, { attempts: 3, baseDelayMs: 10, maxDelayMs: 100, sleep }),
    ).rejects.toBe(last);
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
    await expect(
      withThrottlingRetry(call, { attempts: 5, baseDelayMs: 10, maxDelayMs: 100, sleep }),
    ).rejects.toBe(error);
    expect(call).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('stops at the first error that is not throttling, even after throttling', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    const call = failing([throttlingError(), denied]);
    const sleep = jest.fn(async () => undefined);
    await expect(
      withThrottlingRetry(call, { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, sleep }),
    ).rejects.toBe(denied);
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('backs off exponentially with full jitter, capped at maxDelayMs', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    const call = failing([throttlingError(), throttlingError(), throttlingError(), throttlingError()]);
    const sleep = jest.fn(async (_ms: number) => undefined);
    await withThrottlingRetry(call, { attempts: 5, baseDelayMs: 100, maxDelayMs: 250, sleep });
    const delays = sleep.mock.calls.map(([ms]) => Math.round(ms));
    expect(delays).toEqual([100, 200, 250, 250]);
  });

  it('sleeps a random part of the ceiling', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const call = failing([throttlingError()]);
    const sleep = jest.fn(async (_ms: number) => undefined);
    await withThrottlingRetry(call, { attempts: 2, baseDelayMs: 100, maxDelayMs: 1000, sleep });
    expect(sleep).toHaveBeenCalledWith(50);
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
