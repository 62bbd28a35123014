/** Everything the policy needs about one user, read from IAM; null when the user is gone. */
import type { IAMClient } from '@aws-sdk/client-iam';
import {
  getLastUsedDate,
  isNoSuchEntity,
  listAccessKeys,
  listGroupNames,
  listUserTags,
} from '../shared/iam-users';
import type { KeyFacts, UserFacts } from '../shared/policy';
import type { RetryOptions } from '../shared/retry';

export interface UserSnapshot {
  user: UserFacts;
  keys: KeyFacts[];
}

export async function readUser(
  iam: IAMClient,
  userName: string,
  options: { readGroups: boolean; retry: RetryOptions },
): Promise<UserSnapshot | null> {
  try {
    const keys = await listAccessKeys(iam, userName, options.retry);
    const tags = await listUserTags(iam, userName, options.retry);
    const groups = options.readGroups ? await listGroupNames(iam, userName, options.retry) : [];
    const facts: KeyFacts[] = [];
    for (const key of keys) {
      try {
        facts.push({ ...key, lastUsedDate: await getLastUsedDate(iam, key.accessKeyId, options.retry) });
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
