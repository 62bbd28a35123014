/**
 * The retry budget: every number that bounds how long an AWS call may take and how often it is
 * tried, in one place, so that the worst case of each function fits its timeout with a margin.
 *
 * Three layers retry, and their product is what one failing dependency can cost:
 *
 *     SDK attempts per call  ×  keysweep attempts per call  ×  Step Functions attempts per task
 *     IAM:     1             ×  8 (withRetry, deadline)     ×  7 (+ 2 on a Lambda timeout, DeactivateKey)
 *     S3, SES: 2             ×  1                           ×  the task's ASL Retry
 *
 * Each term is bounded here:
 * - SDK (SDK_CLIENTS, used by clients.ts): `maxAttempts`, and on the HTTP handler a
 *   `requestTimeout` with `throwOnRequestTimeout` (node-http-handler 4.x times a request from
 *   its start to the response headers, connecting and TLS included, then throws a TimeoutError)
 *   and a `connectionTimeout` (fails an unreachable endpoint sooner). Between two SDK attempts
 *   the standard strategy waits at most min(20 s, 1 s × 2^i) (its throttling base; 50 ms
 *   otherwise), plus up to 5 s more when the response carries a Retry-After hint (SDK_BACKOFF).
 *   IAM has no SDK retry at all: keysweep's own retry is its only in-function layer, so that the
 *   deadline below sees every retry.
 * - keysweep (KEYSWEEP_RETRY, retry.ts): at most `attempts` tries of an IAM call on throttling or
 *   a transient error, full-jitter backoff capped at `maxDelayMs`, and a deadline: a retry
 *   starts only if the invocation's remaining time covers the backoff, one more attempt and the
 *   function's RETRY_RESERVE_MS (the rest of its work, first attempts only, plus its margin).
 *   Otherwise the error goes back to Step Functions, whose Retry takes over.
 * - Step Functions: the ASL's Retry fields (statemachine/key-sweep.asl.json). DeactivateKey also
 *   retries a timed-out invocation (Lambda.Unknown, Sandbox.Timedout, or the TimeoutError that
 *   @middy/core throws 5 ms before Lambda's timeout): the re-check of the key makes a repeat
 *   safe, and a retried attempt records a key found already changed as done.
 *
 * Worst case of one invocation = the first attempts of all its calls, each at its SDK worst
 * (sdkCallWorstMs), the list-users report polls and send-report's owner emails included; every
 * retry is admitted only inside the reserve, so retries never push an invocation past
 * `timeout − margin`. test/infra/retry-budget.test.ts computes it per function from these
 * numbers, the functions' own batch sizes and concurrency and the synthesized stack's timeouts,
 * and fails when it does not fit. README.md ("Retry budget") has the resulting table.
 *
 * Not modelled, left to the margin: the function's own computation, and reading a response body
 * after its headers (not timed by requestTimeout; keysweep's responses are small).
 */

export type KeysweepFunctionName =
  | 'list-users'
  | 'find-stale-keys'
  | 'check-action-limit'
  | 'deactivate-key'
  | 'send-report'
  | 'deactivate-exposed-key'
  | 'notify-exposure';

/** Each function's Lambda timeout, seconds (the stack deploys these). */
export const FUNCTION_TIMEOUT_SECONDS: Readonly<Record<KeysweepFunctionName, number>> = {
  // 300 s could not hold list-users' worst case (50 ListUsers pages, 10 report polls, 100 batch files).
  'list-users': 600,
  'find-stale-keys': 300,
  'check-action-limit': 30,
  // 30 s held three IAM calls; re-reading the exemption (ListUserTags, ListGroupsForUser) makes five.
  'deactivate-key': 40,
  'send-report': 900,
  // The exposure path: claiming the event's record (S3, up to five calls when another execution writes at
  // the same moment), the member role (STS) and five IAM calls; in the normal case a few seconds.
  'deactivate-exposed-key': 180,
  'notify-exposure': 600,
};

/** The organization run's own functions (organization.enabled), seconds. */
export const ORGANIZATION_FUNCTION_TIMEOUT_SECONDS = {
  // ListAccounts and the OU tree, 20 a page, and each account's tags: about 3 calls an account.
  'list-accounts': 600,
  // reads one plans file per batch of accounts and writes the accounts that act
  'check-organization-limit': 120,
  // reads one file per batch of accounts and one per failed account, then one email
  'send-organization-report': 600,
} as const;
export type OrganizationFunctionName = keyof typeof ORGANIZATION_FUNCTION_TIMEOUT_SECONDS;

/** Time each function keeps free at its worst: its own computation, cold starts, what is not modelled. */
export const MARGIN_MS: Readonly<Record<KeysweepFunctionName, number>> = {
  'list-users': 60_000,
  'find-stale-keys': 30_000,
  'check-action-limit': 5_000,
  'deactivate-key': 5_000,
  'send-report': 60_000,
  'deactivate-exposed-key': 15_000,
  'notify-exposure': 30_000,
};

export interface SdkClientBudget {
  /** attempts of one call, the first included (the SDK's maxAttempts) */
  maxAttempts: number;
  /** one HTTP attempt, from the request's start to the response headers */
  requestTimeoutMs: number;
  /** establishing the TCP connection (inside requestTimeoutMs) */
  connectionTimeoutMs: number;
}

export const SDK_CLIENTS = {
  iam: { maxAttempts: 1, requestTimeoutMs: 3_000, connectionTimeoutMs: 1_000 },
  s3: { maxAttempts: 2, requestTimeoutMs: 5_000, connectionTimeoutMs: 1_000 },
  ses: { maxAttempts: 2, requestTimeoutMs: 5_000, connectionTimeoutMs: 1_000 },
  // Organization runs: one AssumeRole per invocation (the exposure path's too), and list-accounts'
  // Organizations pages.
  sts: { maxAttempts: 2, requestTimeoutMs: 3_000, connectionTimeoutMs: 1_000 },
  organizations: { maxAttempts: 3, requestTimeoutMs: 5_000, connectionTimeoutMs: 1_000 },
} as const satisfies Record<string, SdkClientBudget>;

/** The SDK standard retry strategy's longest wait before SDK retry i (0-based), @smithy/core 3.x. */
export const SDK_BACKOFF = { baseMs: 1_000, capMs: 20_000, retryAfterExtraMs: 5_000 } as const;

/** The longest one SDK call can take: every attempt timing out, every wait at its longest. */
export function sdkCallWorstMs(client: SdkClientBudget): number {
  let total = client.maxAttempts * client.requestTimeoutMs;
  for (let i = 0; i < client.maxAttempts - 1; i++) {
    total += Math.min(SDK_BACKOFF.capMs, SDK_BACKOFF.baseMs * 2 ** i) + SDK_BACKOFF.retryAfterExtraMs;
  }
  return total;
}

/** The client options clients.ts creates each SDK client with. */
export function sdkClientConfig(client: SdkClientBudget) {
  return {
    maxAttempts: client.maxAttempts,
    retryMode: 'standard',
    requestHandler: {
      requestTimeout: client.requestTimeoutMs,
      connectionTimeout: client.connectionTimeoutMs,
      throwOnRequestTimeout: true,
    },
  } as const;
}

/** keysweep's own retry of each IAM call (withRetry). */
export const KEYSWEEP_RETRY = { attempts: 8, baseDelayMs: 200, maxDelayMs: 5_000 } as const;

/** One attempt of an IAM call, as keysweep's retry sees it. */
export const IAM_ATTEMPT_MS = sdkCallWorstMs(SDK_CLIENTS.iam);

/**
 * What must be left of an invocation after a keysweep retry: the worst of the function's work,
 * first attempts only, plus its margin (test/infra/retry-budget.test.ts proves each covers it).
 */
export const RETRY_RESERVE_MS = {
  'list-users': 460_000,
  'find-stale-keys': 250_000,
  'deactivate-key': 20_000,
  'deactivate-exposed-key': 150_000,
} as const satisfies Partial<Record<KeysweepFunctionName, number>>;

export type RetryingFunctionName = keyof typeof RETRY_RESERVE_MS;

/**
 * send-report starts another owner email only while this much time is left (besides the pause
 * between two emails): one owner email, everything after the owner emails, and the margin.
 */
export const OWNER_EMAIL_RESERVE_MS = 190_000;

/**
 * notify-exposure starts another owner email only while this much time is left: one owner email
 * (storing it and sending it), the records and the exposure report after the owner emails, and the margin.
 */
export const EXPOSURE_OWNER_EMAIL_RESERVE_MS = 180_000;
