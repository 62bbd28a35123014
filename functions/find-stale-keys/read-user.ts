/** Everything the policy needs about one user, read from IAM; null when the user is gone. */
import type { IAMClient } from '@aws-sdk/client-iam';
import {
  type AccessKeyInfo,
  getLastUsedDate,
  isNoSuchEntity,
  listAccessKeys,
  listGroupNames,
  listUserTags,
} from '../shared/iam-users';
import type { z } from 'zod';
import type { reportKeySlotSchema } from '../shared/batch-files';
import type { KeyFacts, UserFacts } from '../shared/policy';
import type { RetryOptions } from '../shared/retry';

type ReportSlot = z.infer<typeof reportKeySlotSchema>;

/**
 * A key's slot in the credential report: the one whose last_rotated is the key's creation, if
 * exactly one (a re-activated key matches none, two keys created in the same second are ambiguous).
 */
export function reportSlotOf(createDate: string, slots: readonly ReportSlot[]): ReportSlot | null {
  const second = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  const created = second(createDate);
  const matches = slots.filter((slot) => slot.lastRotated !== null && second(slot.lastRotated) === created);
  return matches.length === 1 ? (matches[0] ?? null) : null;
}

export interface UserSnapshot {
  user: UserFacts;
  keys: (KeyFacts & { lastUsedSource: LastUsedSource })[];
}

/** Where a key's last-use date came from. */
export type LastUsedSource = 'iam' | 'credential-report';

export async function readUser(
  iam: IAMClient,
  userName: string,
  options: {
    readGroups: boolean;
    retry: RetryOptions;
    /** the user's slots in the credential report: a matched slot's last use spares a call */
    reportKeys?: readonly ReportSlot[];
    /** whether the policy's decision on this key depends on its last use */
    lastUseMatters: (key: AccessKeyInfo) => boolean;
  },
): Promise<UserSnapshot | null> {
  try {
    const keys = await listAccessKeys(iam, userName, options.retry);
    const tags = await listUserTags(iam, userName, options.retry);
    const groups = options.readGroups ? await listGroupNames(iam, userName, options.retry) : [];
    const facts: UserSnapshot['keys'] = [];
    for (const key of keys) {
      try {
        const slot = reportSlotOf(key.createDate, options.reportKeys ?? []);
        if (slot?.lastUsedDate) {
          facts.push({ ...key, lastUsedDate: slot.lastUsedDate, lastUsedSource: 'credential-report' });
        } else if (options.lastUseMatters(key) || slot === null) {
          // N/A in the report means "not used before the report": it may have been used since.
          const lastUsedDate = await getLastUsedDate(iam, key.accessKeyId, options.retry);
          facts.push({ ...key, lastUsedDate, lastUsedSource: 'iam' });
        } else {
          // Not used before the report, and the decision does not depend on it: spare the call.
          facts.push({ ...key, lastUsedDate: null, lastUsedSource: 'credential-report' });
        }
      } catch (error) {
        if (!isNoSuchEntity(error)) throw error; // deleted since it was listed: nothing to judge
      }
    }
    return { user: { userName, tags, groups }, keys: facts };
  } catch (error) {
    if (isNoSuchEntity(error)) return null;
    throw error;
  }
}
