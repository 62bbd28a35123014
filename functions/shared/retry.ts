/**
 * Retries a call that AWS throttled, with exponential backoff and full jitter. The SDK retries
 * too; this outer loop makes a batch survive sustained throttling instead of failing as a whole.
 */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING.has(error.name);
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function retryOptionsFromEnv(): RetryOptions {
  const base = Number(process.env.KEYSWEEP_RETRY_BASE_MS ?? '200');
  return { attempts: 8, baseDelayMs: Number.isFinite(base) && base >= 0 ? base : 200, maxDelayMs: 5_000 };
}

export async function withThrottlingRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error) || attempt >= options.attempts) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * ceiling);
    }
  }
}
