/** Accounts, keys and configurations for workflow tests. */
import { parseConfig, type KeysweepConfig } from '../../functions/shared/config';
import type { KeyIndex } from '../../functions/shared/key-index';
import { layout } from '../../functions/shared/report-layout';
import type { AccountFile, AccountKey, AccountUser } from '../../local/simulated-account';
import { keyId } from '../key-ids';

export { FULL_KEY_ID, keyId } from '../key-ids';

export const NOW = new Date('2026-11-28T08:00:00Z');
const DAY = 86_400_000;

export function daysAgo(days: number, from: Date = NOW): string {
  return new Date(from.getTime() - days * DAY).toISOString();
}

export function key(n: number, ageDays: number, extra: Partial<AccountKey> = {}): AccountKey {
  return {
    accessKeyId: keyId(n),
    status: 'Active',
    createDate: daysAgo(ageDays),
    lastUsedDate: daysAgo(Math.min(1, ageDays)),
    ...extra,
  };
}

export function user(
  userName: string,
  accessKeys: AccountKey[],
  extra: Partial<AccountUser> = {},
): AccountUser {
  return { userName, tags: { email: `${userName}@example.com` }, groups: [], accessKeys, ...extra };
}

export function account(users: AccountUser[], extra: Partial<AccountFile> = {}): AccountFile {
  return { now: NOW.toISOString(), users, ...extra };
}

export function config(overrides: Record<string, unknown> = {}): KeysweepConfig {
  return parseConfig(
    {
      adminEmails: ['security-admins@example.com'],
      senderEmail: 'keysweep@example.com',
      fullScanOn: 'ALWAYS',
      ...overrides,
    },
    'test',
  );
}

/** Every key of an account file, by ID, with its owner. */
export function keysOf(file: AccountFile): Map<string, AccountKey & { userName: string }> {
  const map = new Map<string, AccountKey & { userName: string }>();
  for (const u of file.users)
    for (const k of u.accessKeys ?? []) map.set(k.accessKeyId, { ...k, userName: u.userName });
  return map;
}

/** IAM calls that change something. */
export const IAM_WRITES = [
  'IAM.UpdateAccessKey',
  'IAM.DeleteAccessKey',
  'IAM.CreateAccessKey',
  'IAM.DeleteUser',
];

export function writeCalls(calls: readonly { service: string; operation: string }[]): string[] {
  return calls.map((c) => `${c.service}.${c.operation}`).filter((name) => IAM_WRITES.includes(name));
}

/**
 * The report bucket of an account that keysweep has swept before: a key index (state/key-index.json)
 * that knows every key of `file`, and has seen each Inactive key inactive since `seenInactive(key,
 * user)` (null: an index entry without inactiveSince, as written before keysweep counted).
 */
export function keyIndexObjects(
  file: AccountFile,
  seenInactive: (key: AccountKey, user: AccountUser) => string | null,
  updatedAt: Date = new Date(NOW.getTime() - DAY),
): Record<string, string> {
  const index: KeyIndex = { updatedAt: updatedAt.toISOString(), users: {}, deactivatedByKeysweep: [] };
  for (const u of file.users) {
    index.users[u.userName] = {
      keys: (u.accessKeys ?? []).map((k) => {
        const since = k.status === 'Inactive' ? seenInactive(k, u) : null;
        return {
          accessKeyId: k.accessKeyId,
          createDate: k.createDate,
          status: k.status,
          ...(since === null ? {} : { inactiveSince: since }),
        };
      }),
    };
  }
  return { [layout.keyIndex()]: JSON.stringify(index) };
}
