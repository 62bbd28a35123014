/** Every IAM user name in the account: ListUsers to the last page, never just the first. */
import { ListUsersCommand, type IAMClient } from '@aws-sdk/client-iam';
import { paginate } from '../shared/iam-users';
import { withRetry, type RetryOptions } from '../shared/retry';

export async function listAllUserNames(iam: IAMClient, retry: RetryOptions): Promise<string[]> {
  const users = await paginate(async (Marker) => {
    const page = await withRetry(() => iam.send(new ListUsersCommand({ MaxItems: 1000, Marker })), retry);
    return { items: page.Users ?? [], isTruncated: page.IsTruncated, marker: page.Marker };
  }, 'users');
  const names = users.map((user) => {
    if (!user.UserName) throw new Error('IAM ListUsers returned a user without a UserName');
    return user.UserName;
  });
  return [...new Set(names)];
}
