/**
 * keysweep's own retry of an IAM call: on throttling or a transient error (a timeout, a 5xx, a
 * dropped connection), with exponential backoff and full jitter, within a deadline. It is the
 * only in-function retry of IAM calls (the IAM client makes one attempt); the numbers and why
 * they fit each function's timeout are in retry-budget.ts.
 */
import { isTransientError } from '@smithy/core/retry';
import type { Context } from 'aws-lambda';
import { IAM_ATTEMPT_MS, KEYSWEEP_RETRY, RETRY_RESERVE_MS, type RetryingFunctionName } from './retry-budget';

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

type SdkError = Parameters<typeof isTransientError>[0];

/** Throttling, or what the SDK itself would retry as transient (the SDK's own classification). */
export function isRetryable(error: unknown): boolean {
  // SdkError is an Error whose SDK fields are all optional; only `cause` is typed narrower.
  return isThrottling(error) || (error instanceof Error && isTransientError(error as SdkError));
}

export interface Deadline {
  /** time left in this invocation, ms */
  remainingMs: () => number;
  /** the longest one more attempt can take */
  attemptMs: number;
  /** what must still be left after that attempt: the rest of the invocation's work and a margin */
  reserveMs: number;
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** absent: retry as long as `attempts` allows (tests, code outside a Lambda) */
  deadline?: Deadline;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function retryOptionsFromEnv(): RetryOptions {
  const base = Number(process.env.KEYSWEEP_RETRY_BASE_MS ?? String(KEYSWEEP_RETRY.baseDelayMs));
  return {
    attempts: KEYSWEEP_RETRY.attempts,
    baseDelayMs: Number.isFinite(base) && base >= 0 ? base : KEYSWEEP_RETRY.baseDelayMs,
    maxDelayMs: KEYSWEEP_RETRY.maxDelayMs,
  };
}

/** The options for one invocation of `functionName`: its deadline from the Lambda context. */
export function withinInvocation(
  options: RetryOptions,
  functionName: RetryingFunctionName,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): RetryOptions {
  return {
    ...options,
    deadline: {
      remainingMs: () => context.getRemainingTimeInMillis(),
      attemptMs: IAM_ATTEMPT_MS,
      reserveMs: RETRY_RESERVE_MS[functionName],
    },
  };
}

export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error) || attempt >= options.attempts) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.random() * ceiling;
      const { deadline } = options;
      // Out of time for another try: the error goes back to Step Functions, whose Retry takes over.
      if (deadline && deadline.remainingMs() < delay + deadline.attemptMs + deadline.reserveMs) throw error;
      await sleep(delay);
    }
  }
}
