/** Accounts, keys and configurations for workflow tests. */
import { parseConfig, type KeysweepConfig } from '../../functions/shared/config';
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
