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
  const created = second(createDate);
  const matches = slots.filter((slot) => slot.lastRotated !== null && second(slot.lastRotated) === created);
  return matches.length === 1 ? (matches[0] ?? null) : null;
}

const second = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * Each key's slot in the credential report (slots hold no key IDs): by creation second first;
 * then a single key left over with a single slot left over, rotated after the key's creation, is
 * that key re-activated (a key newer than the report cannot have a slot rotated before it).
 */
export function pairReportSlots(
  keys: readonly AccessKeyInfo[],
  slots: readonly ReportSlot[],
): Map<string, ReportSlot> {
  const pairs = new Map<string, ReportSlot>();
  for (const key of keys) {
    const slot = reportSlotOf(key.createDate, slots);
    if (slot) pairs.set(key.accessKeyId, slot);
  }
  const taken = new Set(pairs.values());
  const keysLeft = keys.filter((key) => !pairs.has(key.accessKeyId));
  const slotsLeft = slots.filter((slot) => !taken.has(slot) && slot.lastRotated !== null);
  const [key] = keysLeft;
  const [slot] = slotsLeft;
  if (keysLeft.length === 1 && slotsLeft.length === 1 && key && slot?.lastRotated) {
    if (second(slot.lastRotated) >= second(key.createDate)) pairs.set(key.accessKeyId, slot);
  }
  return pairs;
}

export interface UserSnapshot {
  user: UserFacts;
  keys: (KeyFacts & {
    lastUsedSource: LastUsedSource;
    /** the report's last_rotated when it is not the key's creation (a re-activated key) */
    lastRotated: string | null;
  })[];
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
    const slots = pairReportSlots(keys, options.reportKeys ?? []);
    for (const key of keys) {
      try {
        const slot = slots.get(key.accessKeyId) ?? null;
        const rotated = slot?.lastRotated ?? null;
        const lastRotated = rotated !== null && second(rotated) !== second(key.createDate) ? rotated : null;
        if (slot?.lastUsedDate) {
          facts.push({
            ...key,
            lastUsedDate: slot.lastUsedDate,
            lastUsedSource: 'credential-report',
            lastRotated,
          });
        } else if (options.lastUseMatters(key) || slot === null) {
          // N/A in the report means "not used before the report": it may have been used since.
          const lastUsedDate = await getLastUsedDate(iam, key.accessKeyId, options.retry);
          facts.push({ ...key, lastUsedDate, lastUsedSource: 'iam', lastRotated });
        } else {
          // Not used before the report, and the decision does not depend on it: spare the call.
          facts.push({ ...key, lastUsedDate: null, lastUsedSource: 'credential-report', lastRotated });
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
