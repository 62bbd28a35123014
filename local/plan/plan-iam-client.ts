/**
 * The IAM client of `npm run plan`: the SDK's default credential chain (environment, profiles,
 * SSO, roles; `--profile` names the profile), `AWS_ENDPOINT_URL(_IAM)` honoured by the SDK itself
 * (functions/shared/endpoint-config.ts), key IDs masked in its errors as in the functions' clients,
 * and the read-only guard (read-only-guard.ts) first in its middleware.
 *
 * Retries differ from the deployed functions' on purpose: the Lambdas' IAM client makes a single
 * attempt so that keysweep's own retry, bounded by each function's timeout, is the only
 * in-function layer (functions/shared/retry-budget.ts, unchanged). A plan runs on a laptop,
 * often against an account whose other tools use the same IAM request quota, with no Lambda
 * timeout to fit: its client uses the SDK's adaptive retry mode, which retries throttling
 * (`Throttling` is one of its throttling codes) with backoff and, once throttled, rate-limits the
 * client's own requests with a token bucket shared by all its calls (@smithy/core's
 * AdaptiveRetryStrategy and DefaultRateLimiter).
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { redactKeyIdsInSdkErrors } from '../../functions/shared/redact-errors';
import type { SimulatedCall } from '../simulated-account';
import { guardReadOnly, type IamCallObserver } from './read-only-guard';

/** IAM is global; a region only picks the partition's endpoint (`--region` for GovCloud or China). */
export const DEFAULT_PLAN_REGION = 'us-east-1';

/** Attempts of one IAM call, the first included (the SDK's maxAttempts, adaptive mode). */
export const PLAN_IAM_MAX_ATTEMPTS = 8;

export interface PlanIamClientOptions {
  profile?: string;
  region?: string;
  observer?: IamCallObserver;
}

export function planIamClientConfig(options: Pick<PlanIamClientOptions, 'profile' | 'region'>) {
  return {
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_PLAN_REGION,
    retryMode: 'adaptive',
    maxAttempts: PLAN_IAM_MAX_ATTEMPTS,
    requestHandler: { requestTimeout: 15_000, connectionTimeout: 5_000, throwOnRequestTimeout: true },
  } as const;
}

export function createPlanIamClient(options: PlanIamClientOptions = {}): IAMClient {
  const client = new IAMClient(planIamClientConfig(options));
  // Added before the guard, but the guard's step (initialize) runs first: a refused command never
  // gets this far; a read's error comes back through here masked.
  redactKeyIdsInSdkErrors(client);
  return guardReadOnly(client, options.observer);
}

/** Every IAM call a plan made, as the run's statistics count them, and the errors among them. */
export class IamCallLog implements IamCallObserver {
  readonly calls: SimulatedCall[] = [];
  readonly errors: { operation: string; error: unknown }[] = [];
  readonly refusedOperations: string[] = [];

  constructor(
    private readonly onStart?: (operation: string, input: Readonly<Record<string, unknown>>) => void,
  ) {}

  started(operation: string, input: Readonly<Record<string, unknown>>): void {
    this.onStart?.(operation, input);
  }

  ended(operation: string, error: unknown): void {
    // Inputs are not kept: the statistics count calls by operation, and an input may hold a key ID.
    if (error === undefined) {
      this.calls.push({ service: 'IAM', operation, input: {}, outcome: 'ok' });
      return;
    }
    const name = error instanceof Error ? error.name : 'Error';
    this.calls.push({ service: 'IAM', operation, input: {}, outcome: 'error', error: name });
    this.errors.push({ operation, error });
  }

  refused(operation: string): void {
    this.refusedOperations.push(operation);
    this.calls.push({
      service: 'IAM',
      operation,
      input: {},
      outcome: 'error',
      error: 'KeysweepPlanIsReadOnly',
    });
  }
}
