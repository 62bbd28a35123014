/**
 * The retry budget (functions/shared/retry-budget.ts) holds: the worst case of one invocation of
 * each function, computed from the budget's numbers and the functions' own batch sizes and
 * concurrency, fits the timeout the synthesized stack gives it, with the function's margin; and
 * each reserve covers what it must. The worst case counts every AWS call on the function's
 * critical path at its SDK worst (every attempt timing out, every SDK wait at its longest);
 * keysweep's own retries are admitted only inside the reserve, so they cannot add to it.
 */
import { BATCH_SIZE, BATCH_WRITE_CONCURRENCY } from '../../functions/list-users/list-users';
import { REPORT_POLLING } from '../../functions/list-users/credential-report';
import { USER_CONCURRENCY } from '../../functions/find-stale-keys/find-stale-keys';
import { READ_CONCURRENCY } from '../../functions/send-report/send-report';
import {
  FUNCTION_TIMEOUT_SECONDS,
  IAM_ATTEMPT_MS,
  KEYSWEEP_RETRY,
  MARGIN_MS,
  EXPOSURE_OWNER_EMAIL_RESERVE_MS,
  OWNER_EMAIL_RESERVE_MS,
  RETRY_RESERVE_MS,
  SDK_CLIENTS,
  sdkCallWorstMs,
  type KeysweepFunctionName,
  type RetryingFunctionName,
} from '../../functions/shared/retry-budget';
import type { ExposureFunctionName } from '../../infra/constructs/exposed-key-response';
import type { SweepFunctionName } from '../../infra/constructs/sweep-state-machine';
import { logicalId, synthStack } from './build-stack';

/** IAM allows 5,000 users an account, 2 access keys a user, 50 tags a user, 10 groups a user. */
const MAX_USERS = 5_000;
/**
 * ListUsers returns at most MaxItems (1,000) users a page and may return fewer; the budget
 * assumes at least 100 (the simulated account's page size).
 */
const MIN_USERS_PER_PAGE = 100;
const MAX_BATCHES = Math.ceil(MAX_USERS / BATCH_SIZE);
/**
 * find-stale-keys per user: ListAccessKeys, ListUserTags and ListGroupsForUser (one page each:
 * 2 keys, 50 tags and 10 groups are under IAM's default page of 100), GetAccessKeyLastUsed per key.
 */
const IAM_CALLS_PER_USER = 3 + 2;
/**
 * deactivate-key: ListAccessKeys (one page), ListUserTags and ListGroupsForUser (the exemption, read
 * again; one page each), GetAccessKeyLastUsed, UpdateAccessKey or DeleteAccessKey.
 */
const IAM_CALLS_PER_KEY = 5;
/**
 * deactivate-exposed-key: GetAccessKeyLastUsed (the key's user), ListAccessKeys, ListUserTags,
 * ListGroupsForUser, UpdateAccessKey.
 */
const IAM_CALLS_PER_EXPOSED_KEY = 5;
/** Assumed: an AWS Health event names at most 50 exposed keys (a page holds what fits 256 KB). */
const MAX_EXPOSED_KEYS = 50;
/** notify-exposure reads and writes the keys' records this many at once. */
const RECORD_CONCURRENCY = 10;

interface CallCosts {
  iam: number;
  s3: number;
  ses: number;
  sts: number;
}

const COSTS: CallCosts = {
  iam: IAM_ATTEMPT_MS,
  s3: sdkCallWorstMs(SDK_CLIENTS.s3),
  ses: sdkCallWorstMs(SDK_CLIENTS.ses),
  sts: sdkCallWorstMs(SDK_CLIENTS.sts),
};

/** n calls of at most w ms on `lanes` workers that each take the next call when free (Graham's bound). */
const onLanes = (n: number, lanes: number, w: number) => (n === 0 ? 0 : ((n - 1) * w) / lanes + w);

/** send-report after its owner emails: the notifications record, report.json again, the email files, the admin email. */
const sendReportTail = (c: CallCosts) => 4 * c.s3 + c.ses;
/** One owner email: its HTML and text files, then SendEmail (the pause before it is reserved apart). */
const ownerEmail = (c: CallCosts) => 2 * c.s3 + c.ses;
/** notify-exposure after its owner emails: the records (concurrently), exposure.json again. */
const exposureTail = (c: CallCosts) => onLanes(MAX_EXPOSED_KEYS, RECORD_CONCURRENCY, c.s3) + c.s3;
/** One exposure owner email: its two files at once, then SendEmail. */
const exposureOwnerEmail = (c: CallCosts) => c.s3 + c.ses;

/** The worst case of one invocation, first attempts only, by part. */
function worstCase(c: CallCosts): Record<KeysweepFunctionName, Record<string, number>> {
  return {
    'list-users': {
      'GenerateCredentialReport polls and the pauses between them':
        REPORT_POLLING.maxPolls * c.iam + (REPORT_POLLING.maxPolls - 1) * REPORT_POLLING.pollDelayMs,
      GetCredentialReport: c.iam,
      'key index read': c.s3,
      'ListUsers pages': Math.ceil(MAX_USERS / MIN_USERS_PER_PAGE) * c.iam,
      'batch files written': onLanes(MAX_BATCHES, BATCH_WRITE_CONCURRENCY, c.s3),
    },
    'find-stale-keys': {
      'users file read': c.s3,
      'users read': onLanes(BATCH_SIZE, USER_CONCURRENCY, IAM_CALLS_PER_USER * c.iam),
      'decisions and actions files written': 2 * c.s3,
    },
    'check-action-limit': {},
    'deactivate-key': { 're-check and change': IAM_CALLS_PER_KEY * c.iam },
    'send-report': {
      'decisions files read': onLanes(MAX_BATCHES, READ_CONCURRENCY, c.s3),
      'results files read': onLanes(MAX_BATCHES, READ_CONCURRENCY, c.s3),
      'key index read and written': 2 * c.s3,
      'report.json written': c.s3,
      'owner-notifications record read': c.s3,
      // The owner emails in between start only while OWNER_EMAIL_RESERVE_MS is left (below).
      'after the owner emails': sendReportTail(c),
    },
    'deactivate-exposed-key': {
      // three conditional writes (two 409s), the record read (412), the take-over write
      'the claim of the event and key': 5 * c.s3,
      'the member role (another account)': c.sts,
      "the key's user, state and exemption, and the deactivation": IAM_CALLS_PER_EXPOSED_KEY * c.iam,
      'the record saved': c.s3,
    },
    'notify-exposure': {
      'the records read': onLanes(MAX_EXPOSED_KEYS, RECORD_CONCURRENCY, c.s3),
      'exposure.json and its marker written': 2 * c.s3,
      "the admins' email stored (two files at once) and sent": c.s3 + c.ses,
      // The owner emails in between start only while EXPOSURE_OWNER_EMAIL_RESERVE_MS is left (below).
      'after the owner emails': exposureTail(c),
    },
  };
}

const total = (parts: Record<string, number>) => Object.values(parts).reduce((a, b) => a + b, 0);

const STACK_NAMES: Record<KeysweepFunctionName, SweepFunctionName | ExposureFunctionName> = {
  'list-users': 'ListUsers',
  'find-stale-keys': 'FindStaleKeys',
  'check-action-limit': 'CheckActionLimit',
  'deactivate-key': 'DeactivateKey',
  'send-report': 'SendReport',
  'deactivate-exposed-key': 'DeactivateExposedKey',
  'notify-exposure': 'NotifyExposure',
};
const FUNCTIONS = Object.keys(STACK_NAMES) as KeysweepFunctionName[];
const RETRYING = Object.keys(RETRY_RESERVE_MS) as RetryingFunctionName[];

let deployedTimeoutMs: Record<KeysweepFunctionName, number>;
beforeAll(() => {
  const { stack, template } = synthStack();
  const resources = template.toJSON().Resources as Record<string, { Properties: { Timeout?: number } }>;
  deployedTimeoutMs = Object.fromEntries(
    FUNCTIONS.map((name) => {
      const all = { ...stack.functions, ...stack.exposure.functions };
      const timeout = resources[logicalId(all[STACK_NAMES[name]].function)]?.Properties.Timeout;
      if (timeout === undefined) throw new Error(`${name} has no Timeout in the template`);
      return [name, timeout * 1000];
    }),
  ) as Record<KeysweepFunctionName, number>;
});

const WORST = worstCase(COSTS);

describe('the retry budget', () => {
  it('is what the stack deploys: the synthesized timeouts are the budget’s', () => {
    for (const name of FUNCTIONS) {
      expect({ name, timeoutMs: deployedTimeoutMs[name] }).toEqual({
        name,
        timeoutMs: FUNCTION_TIMEOUT_SECONDS[name] * 1000,
      });
    }
  });

  it.each(FUNCTIONS)('%s: the worst case plus the margin fits the timeout', (name) => {
    const worst = total(WORST[name]);
    expect(worst + MARGIN_MS[name]).toBeLessThanOrEqual(deployedTimeoutMs[name]);
  });

  it.each(RETRYING)(
    '%s: a keysweep retry is admitted only while the rest of the work and the margin still fit',
    (name) => {
      expect(RETRY_RESERVE_MS[name]).toBeGreaterThanOrEqual(total(WORST[name]) + MARGIN_MS[name]);
    },
  );

  it.each(RETRYING)('%s: the reserve still leaves room for retries early in an invocation', (name) => {
    // the first attempt of a call, the longest backoff, the retry, and the reserve after it
    const firstRetry = IAM_ATTEMPT_MS + KEYSWEEP_RETRY.maxDelayMs + IAM_ATTEMPT_MS + RETRY_RESERVE_MS[name];
    expect(firstRetry).toBeLessThanOrEqual(deployedTimeoutMs[name]);
  });

  it('send-report: another owner email starts only while it, everything after it and the margin fit', () => {
    expect(OWNER_EMAIL_RESERVE_MS).toBeGreaterThanOrEqual(
      ownerEmail(COSTS) + sendReportTail(COSTS) + MARGIN_MS['send-report'],
    );
  });

  it('notify-exposure: another owner email starts only while it, everything after it and the margin fit', () => {
    expect(EXPOSURE_OWNER_EMAIL_RESERVE_MS).toBeGreaterThanOrEqual(
      exposureOwnerEmail(COSTS) + exposureTail(COSTS) + MARGIN_MS['notify-exposure'],
    );
  });

  it("holds IAM to one SDK attempt: with the SDK's default of three, deactivate-key would not fit", () => {
    const iamDefault = sdkCallWorstMs({ ...SDK_CLIENTS.iam, maxAttempts: 3 });
    const worst = total(worstCase({ ...COSTS, iam: iamDefault })['deactivate-key']);
    expect(worst + MARGIN_MS['deactivate-key']).toBeGreaterThan(deployedTimeoutMs['deactivate-key']);
  });

  it('gave list-users more than the 300 s it had: its worst case does not fit 300 s', () => {
    expect(total(WORST['list-users']) + MARGIN_MS['list-users']).toBeGreaterThan(300_000);
  });
});
