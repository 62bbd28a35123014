/**
 * The SDK clients of `npm run plan`: the SDK's default credential chain (environment, profiles,
 * SSO, roles; `--profile` names the profile) or, for a member account, the credentials of its
 * member role session; `AWS_ENDPOINT_URL(_<SERVICE>)` honoured by the SDK itself
 * (functions/shared/endpoint-config.ts); key IDs masked in their errors as in the functions'
 * clients; and the read-only guard of their service (read-only-guard.ts) first in their middleware.
 *
 * Retries differ from the deployed functions' on purpose: the Lambdas' IAM client makes a single
 * attempt so that keysweep's own retry, bounded by each function's timeout, is the only
 * in-function layer (functions/shared/retry-budget.ts, unchanged). A plan runs on a laptop,
 * often against an account whose other tools use the same request quotas, with no Lambda
 * timeout to fit: its clients use the SDK's adaptive retry mode, which retries throttling
 * (`Throttling` is one of its throttling codes) with backoff and, once throttled, rate-limits the
 * client's own requests with a token bucket shared by all its calls (@smithy/core's
 * AdaptiveRetryStrategy and DefaultRateLimiter).
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { SessionCredentials } from '../../functions/shared/organization';
import { redactKeyIdsInSdkErrors } from '../../functions/shared/redact-errors';
import { guardReadOnly, type CallObserver } from './read-only-guard';

/** IAM is global; a region only picks the partition's endpoint (`--region` for GovCloud or China). */
export const DEFAULT_PLAN_REGION = 'us-east-1';

/** Attempts of one call, the first included (the SDK's maxAttempts, adaptive mode). */
export const PLAN_IAM_MAX_ATTEMPTS = 8;

export interface PlanClientOptions {
  profile?: string;
  region?: string;
  /** a role session's credentials instead of the default chain's (a member account's IAM) */
  credentials?: SessionCredentials;
  observer?: CallObserver;
}

export function planClientConfig(options: Pick<PlanClientOptions, 'profile' | 'region' | 'credentials'>) {
  return {
    ...(options.credentials !== undefined
      ? { credentials: options.credentials }
      : options.profile !== undefined
        ? { profile: options.profile }
        : {}),
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_PLAN_REGION,
    retryMode: 'adaptive',
    maxAttempts: PLAN_IAM_MAX_ATTEMPTS,
    requestHandler: { requestTimeout: 15_000, connectionTimeout: 5_000, throwOnRequestTimeout: true },
  } as const;
}

/** The IAM client of the credentials' account (a single-account plan), or of a member role session. */
export function createPlanIamClient(options: PlanClientOptions = {}): IAMClient {
  const client = new IAMClient(planClientConfig(options));
  // Added before the guard, but the guard's step (initialize) runs first: a refused command never
  // gets this far; a read's error comes back through here masked.
  redactKeyIdsInSdkErrors(client);
  return guardReadOnly(client, 'IAM', options.observer);
}

/** STS of the plan's own credentials: AssumeRole and GetCallerIdentity only. */
export function createPlanStsClient(options: Omit<PlanClientOptions, 'credentials'> = {}): STSClient {
  const client = new STSClient(planClientConfig(options));
  redactKeyIdsInSdkErrors(client);
  return guardReadOnly(client, 'STS', options.observer);
}

/** Organizations with the org reader role's session: List* and Describe* only. */
export function createPlanOrganizationsClient(
  options: PlanClientOptions & { credentials: SessionCredentials },
): OrganizationsClient {
  const client = new OrganizationsClient(planClientConfig(options));
  redactKeyIdsInSdkErrors(client);
  return guardReadOnly(client, 'ORGANIZATIONS', options.observer);
}
