/** Reads of one IAM user's keys, tags and groups, paginated and retried on throttling. */
import {
  GetAccessKeyLastUsedCommand,
  ListAccessKeysCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
  type AccessKeyMetadata,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { KeyStatus } from './policy';
import { withRetry, type RetryOptions } from './retry';

/** True for IAM's "no such user / key" error: the thing is gone, not broken. */
export function isNoSuchEntity(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchEntityException' || error.name === 'NoSuchEntity');
}

export interface AccessKeyInfo {
  accessKeyId: string;
  status: KeyStatus;
  createDate: string;
}

function toKeyInfo(meta: AccessKeyMetadata, userName: string): AccessKeyInfo {
  if (!meta.AccessKeyId || !meta.CreateDate || (meta.Status !== 'Active' && meta.Status !== 'Inactive')) {
    throw new Error(`IAM returned an incomplete access key record for user ${userName}`);
  }
  return { accessKeyId: meta.AccessKeyId, status: meta.Status, createDate: meta.CreateDate.toISOString() };
}

/** Follows IsTruncated/Marker to the end; a repeated or missing marker is an error, not a loop. */
export async function paginate<T>(
  fetchPage: (marker: string | undefined) => Promise<{ items: T[]; isTruncated?: boolean; marker?: string }>,
  what: string,
): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  for (;;) {
    const page = await fetchPage(marker);
    all.push(...page.items);
    if (!page.isTruncated) return all;
    if (!page.marker || seen.has(page.marker)) {
      throw new Error(`IAM pagination of ${what} did not advance (IsTruncated without a new Marker)`);
    }
    seen.add(page.marker);
    marker = page.marker;
  }
}

export async function listAccessKeys(iam: IAMClient, userName: string, retry: RetryOptions) {
  const keys = await paginate(async (Marker) => {
    const page = await withRetry(
      () => iam.send(new ListAccessKeysCommand({ UserName: userName, Marker })),
      retry,
    );
    return { items: page.AccessKeyMetadata ?? [], isTruncated: page.IsTruncated, marker: page.Marker };
  }, `access keys of ${userName}`);
  return keys.map((meta) => toKeyInfo(meta, userName));
}

export async function listUserTags(iam: IAMClient, userName: string, retry: RetryOptions) {
  const tags = await paginate(async (Marker) => {
    const page = await withRetry(
      () => iam.send(new ListUserTagsCommand({ UserName: userName, Marker })),
      retry,
    );
    return { items: page.Tags ?? [], isTruncated: page.IsTruncated, marker: page.Marker };
  }, `tags of ${userName}`);
  return Object.fromEntries(tags.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}

export async function listGroupNames(iam: IAMClient, userName: string, retry: RetryOptions) {
  const groups = await paginate(async (Marker) => {
    const page = await withRetry(
      () => iam.send(new ListGroupsForUserCommand({ UserName: userName, Marker })),
      retry,
    );
    return { items: page.Groups ?? [], isTruncated: page.IsTruncated, marker: page.Marker };
  }, `groups of ${userName}`);
  return groups.map((group) => group.GroupName ?? '');
}

/** The key's last use as an ISO date, or null when it was never used. */
export async function getLastUsedDate(iam: IAMClient, accessKeyId: string, retry: RetryOptions) {
  const response = await withRetry(
    () => iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })),
    retry,
  );
  return response.AccessKeyLastUsed?.LastUsedDate?.toISOString() ?? null;
}
