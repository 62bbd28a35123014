/**
 * One planned change to one key. Re-reads the key first (IAM is eventually consistent and
 * people act between find and act), then changes it only if it still breaks the policy: a key to
 * delete must still be inactive and unused since keysweep first saw it inactive, and a user who has
 * become exempt since the plan (tags, and groups when exemptGroups is set, read again) is skipped.
 * Safe to repeat: a second call finds the key already inactive, or gone. When Step Functions
 * retries the step (retryCount > 0: an earlier attempt timed out or failed, maybe after its
 * IAM write went through), a key found already changed is recorded as done by that attempt.
 */
import { DeleteAccessKeyCommand, UpdateAccessKeyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { z } from 'zod';
import { iamForRun, type AccountIam } from '../shared/account-iam';
import { plannedActionSchema, type KeyResult, type PlannedAction } from '../shared/batch-files';
import { policyOf, type KeysweepConfig } from '../shared/config';
import { ageInDays } from '../shared/days';
import {
  getLastUsedDate,
  isNoSuchEntity,
  listAccessKeys,
  listGroupNames,
  listUserTags,
  type AccessKeyInfo,
} from '../shared/iam-users';
import { isThrottling, withRetry, type RetryOptions } from '../shared/retry';
import { exemptionOf, isAfterSighting } from '../shared/policy';
import { parseEvent, runClock, runSchema } from '../shared/run';

export const deactivateKeyEventSchema = z.object({
  run: runSchema,
  key: plannedActionSchema,
  /** the step's $$.State.RetryCount: 0 on the first attempt */
  retryCount: z.number().int().min(0).default(0),
});

export interface DeactivateKeyDeps {
  iam: IAMClient;
  config: KeysweepConfig;
  retry: RetryOptions;
  /** organization runs: the IAM of the account swept, through its member role */
  accountIam?: AccountIam;
}

type Outcome = Pick<KeyResult, 'result' | 'detail' | 'error'>;

/**
 * An error text fit for the results file: one line, no quotes or backslashes (the results go
 * through States.JsonToString), at most 500 characters. It may hold a full key ID: the results
 * stay in the account, and the email masks them.
 */
export function oneLine(text: string): string {
  return text.replace(/["\\]/g, "'").replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** Why the planned change no longer applies to the key as it is now, or null when it does. */
async function whyNotAnyMore(
  key: PlannedAction,
  current: AccessKeyInfo,
  now: Date,
  deps: DeactivateKeyDeps,
): Promise<string | null> {
  const age = ageInDays(current.createDate, now);
  if (key.action === 'delete') return whyNotDelete(key, current, now, deps);
  if (current.status !== 'Active') return 'already inactive';
  if (age >= deps.config.deactivateAfterDays) return null;
  if (key.rule === 'unused' && deps.config.unusedAfterDays !== null) {
    const lastUsed = await getLastUsedDate(deps.iam, current.accessKeyId, deps.retry);
    const unused = ageInDays(lastUsed ?? current.createDate, now);
    if (unused >= deps.config.unusedAfterDays) return null;
    return lastUsed === null
      ? `never used, but under the unused limit of ${deps.config.unusedAfterDays} days now`
      : `used since it was planned (${lastUsed.slice(0, 10)})`;
  }
  return `${age} days old, under the limit of ${deps.config.deactivateAfterDays}`;
}

/**
 * Why a planned deletion no longer applies: the key must still be Inactive, seen so for
 * deleteAfterDays by the plan's count, and unused since (GetAccessKeyLastUsed: an inactive key
 * cannot sign requests, so a later use means it was active again in between).
 */
async function whyNotDelete(
  key: PlannedAction,
  current: AccessKeyInfo,
  now: Date,
  deps: DeactivateKeyDeps,
): Promise<string | null> {
  if (current.status !== 'Inactive') return 'active again since it was planned; not deleted';
  const limit = deps.config.deleteAfterDays;
  if (limit === null) return 'deletion is turned off (deleteAfterDays)';
  if (key.inactiveSince === undefined)
    return 'planned without the day it was first seen inactive; not deleted';
  const days = ageInDays(key.inactiveSince, now);
  if (days < limit) return `seen inactive for ${days} days, under the delete limit of ${limit}; not deleted`;
  const lastUsed = await getLastUsedDate(deps.iam, current.accessKeyId, deps.retry);
  if (isAfterSighting(lastUsed, key.inactiveSince)) {
    return `used ${lastUsed?.slice(0, 10) ?? ''}, after it was seen inactive on ${key.inactiveSince.slice(0, 10)}: re-activated since; not deleted`;
  }
  return null;
}

/**
 * Whether the user has become exempt since the plan was made (a tag added, or a group joined,
 * between find and act): the exemption read again right before acting, or null.
 */
async function exemptNow(key: PlannedAction, now: Date, deps: DeactivateKeyDeps): Promise<string | null> {
  const policy = policyOf(deps.config);
  const tags = await listUserTags(deps.iam, key.userName, deps.retry);
  const groups =
    policy.exemptGroups.length > 0 ? await listGroupNames(deps.iam, key.userName, deps.retry) : [];
  const { exemption } = exemptionOf({ userName: key.userName, tags, groups }, policy, now);
  if (exemption === null) return null;
  const until = exemption.until === null ? '' : ` through ${exemption.until}`;
  const not = key.action === 'delete' ? 'not deleted' : 'not deactivated';
  return `exempt since it was planned${until} (${exemption.description}); ${not}`;
}

/** Makes the change; the detail of the result. */
async function act(key: PlannedAction, deps: DeactivateKeyDeps): Promise<string> {
  const target = { UserName: key.userName, AccessKeyId: key.accessKeyId };
  let requests = 0;
  try {
    await withRetry(() => {
      requests++;
      return key.action === 'delete'
        ? deps.iam.send(new DeleteAccessKeyCommand(target))
        : deps.iam.send(new UpdateAccessKeyCommand({ ...target, Status: 'Inactive' }));
    }, deps.retry);
  } catch (error) {
    // A DeleteAccessKey retried after a timeout finds the key gone: the first request went through.
    if (key.action === 'delete' && requests > 1 && isNoSuchEntity(error)) {
      return 'deleted (an earlier request of this attempt went through)';
    }
    throw error;
  }
  return key.action === 'delete' ? 'deleted' : 'deactivated';
}

/** On a retry of the step, a key already as planned was changed by an earlier attempt. */
function doneByAnEarlierAttempt(key: PlannedAction, retryCount: number): Outcome {
  const found = key.action === 'delete' ? 'gone' : 'inactive';
  const did = key.action === 'delete' ? 'deleted' : 'deactivated';
  return {
    result: 'done',
    detail: `${did} (${found} on retry ${retryCount} of this step: an earlier attempt of this step ${did} it)`,
  };
}

export async function deactivateKey(event: unknown, ownDeps: DeactivateKeyDeps): Promise<KeyResult> {
  const { run, key, retryCount } = parseEvent(deactivateKeyEventSchema, event, 'deactivate-key');
  const base = { userName: key.userName, accessKeyId: key.accessKeyId, action: key.action };
  const outcome = async (): Promise<Outcome> => {
    if (run.mode === 'report' || ownDeps.config.mode === 'report') {
      return { result: 'dry-run', detail: 'report mode: nothing changed' };
    }
    try {
      // In an organization: the account's IAM through its member role, assumed once per invocation.
      const deps = {
        ...ownDeps,
        iam: await iamForRun(run, ownDeps.iam, ownDeps.accountIam, 'deactivate-key'),
      };
      const keys = await listAccessKeys(deps.iam, key.userName, deps.retry);
      const current = keys.find((k) => k.accessKeyId === key.accessKeyId);
      if (retryCount > 0) {
        const deleted = key.action === 'delete' && current === undefined;
        const deactivated = key.action === 'deactivate' && current?.status === 'Inactive';
        if (deleted || deactivated) return doneByAnEarlierAttempt(key, retryCount);
      }
      if (current === undefined) return { result: 'skipped', detail: 'key no longer exists' };
      const exempt = await exemptNow(key, runClock(run), deps);
      if (exempt !== null) return { result: 'skipped', detail: exempt };
      const reason = await whyNotAnyMore(key, current, runClock(run), deps);
      if (reason !== null) return { result: 'skipped', detail: reason };
      return { result: 'done', detail: await act(key, deps) };
    } catch (error) {
      if (isNoSuchEntity(error)) return { result: 'skipped', detail: 'user or key no longer exists' };
      // Throttling that outlasted the retries goes back to Step Functions, which retries the task.
      if (isThrottling(error) || !(error instanceof Error)) throw error;
      return { result: 'failed', error: oneLine(`${error.name}: ${error.message}`) };
    }
  };
  return { ...base, ...(await outcome()) };
}
