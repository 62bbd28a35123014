/**
 * What keysweep knew of every user's keys after its last run (state/key-index.json): creation
 * dates, which keys keysweep itself deactivated, and since when keysweep has seen each inactive key
 * inactive (the delete rule counts from there). With it the credential report can be trusted to
 * narrow the search: a report slot whose last_rotated matches no known creation date is a new or
 * re-activated key, and its user is read.
 */
import { z } from 'zod';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DecisionsFile, IndexedInactiveKey, KeyResult } from './batch-files';
import { layout } from './report-layout';
import { getJsonIfExists } from './s3-json';

export const keyIndexSchema = z.object({
  updatedAt: z.string(),
  users: z.record(
    z.string(),
    z.object({
      keys: z.array(
        z.object({
          accessKeyId: z.string(),
          createDate: z.string(),
          status: z.enum(['Active', 'Inactive']),
          /** last_rotated the credential report showed for a re-activated key, so it is known next time */
          lastRotated: z.string().optional(),
          /** keysweep deactivated this key (in this run or an earlier one) */
          deactivatedByKeysweep: z.literal(true).optional(),
          /**
           * Inactive keys: the start of the run that first saw the key inactive, or that deactivated
           * it. An index written before keysweep recorded it has none: such a key counts as first
           * seen inactive by the next run that reads it, never as old.
           */
          inactiveSince: z.string().optional(),
        }),
      ),
    }),
  ),
  /** users with a key that keysweep deactivated and that still exists: always read */
  deactivatedByKeysweep: z.array(z.string()),
  /**
   * the exposure runs the daily reports have listed (send-report/exposures-since.ts): when, and the
   * ones the next listing can still find. Absent in an index written before the exposure path.
   */
  exposures: z.object({ listedAt: z.string(), seen: z.array(z.string()) }).optional(),
});
export type KeyIndex = z.infer<typeof keyIndexSchema>;
type IndexedKey = KeyIndex['users'][string]['keys'][number];

/** The user's inactive keys as the index remembers them: what find-stale-keys counts deletion from. */
export function inactiveSightingsOf(index: KeyIndex, userName: string): IndexedInactiveKey[] {
  return (index.users[userName]?.keys ?? [])
    .filter((key) => key.status === 'Inactive')
    .map((key) => ({
      accessKeyId: key.accessKeyId,
      inactiveSince: key.inactiveSince ?? null,
      deactivatedByKeysweep: key.deactivatedByKeysweep === true,
    }));
}

export interface IndexUpdate {
  /** when the index is written */
  updatedAt: Date;
  /** the run's start: a key deactivated this run has been inactive since then */
  runStartedAt: string;
  /** a complete full scan: users that were not read no longer exist */
  completeScan?: boolean;
}

/**
 * The index after a run: every user read this run replaces its entry (a key keysweep deactivated
 * keeps that mark for as long as it exists; an inactive key keeps the inactiveSince its decision
 * counted from, and a key deactivated this run is inactive since the run's start); users found
 * gone leave. After a complete full scan, users that were not read no longer exist and leave too.
 */
export function updateKeyIndex(
  previous: KeyIndex | null,
  decisions: readonly DecisionsFile[],
  results: ReadonlyMap<string, KeyResult>,
  resultKey: (userName: string, accessKeyId: string) => string,
  { updatedAt, runStartedAt, completeScan = false }: IndexUpdate,
): KeyIndex {
  const markedBefore = new Set(
    Object.values(previous?.users ?? {}).flatMap((u) =>
      u.keys.filter((k) => k.deactivatedByKeysweep).map((k) => k.accessKeyId),
    ),
  );
  const users: KeyIndex['users'] = completeScan ? {} : { ...(previous?.users ?? {}) };
  const readUsers = new Set<string>();
  for (const file of decisions) {
    for (const gone of file.usersGone) delete users[gone];
    for (const key of file.keys) {
      if (!readUsers.has(key.userName)) {
        readUsers.add(key.userName);
        users[key.userName] = { keys: [] };
      }
      const result = results.get(resultKey(key.userName, key.accessKeyId));
      const done = result?.result === 'done';
      if (done && key.action === 'delete') continue;
      const deactivatedNow = done && key.action === 'deactivate';
      const entry: IndexedKey = {
        accessKeyId: key.accessKeyId,
        createDate: key.createDate,
        status: deactivatedNow ? 'Inactive' : key.status,
      };
      if (key.lastRotated) entry.lastRotated = key.lastRotated;
      if (deactivatedNow || markedBefore.has(key.accessKeyId)) entry.deactivatedByKeysweep = true;
      if (deactivatedNow) entry.inactiveSince = runStartedAt;
      else if (key.status === 'Inactive') entry.inactiveSince = key.inactiveSince ?? runStartedAt;
      users[key.userName]?.keys.push(entry);
    }
  }
  const deactivatedByKeysweep = Object.entries(users)
    .filter(([, u]) => u.keys.some((k) => k.deactivatedByKeysweep))
    .map(([name]) => name)
    .sort();
  return { updatedAt: updatedAt.toISOString(), users, deactivatedByKeysweep };
}

/** An exposed key the exposure path acted on (send-report/exposures-since.ts). */
export interface ExposedKeyMark {
  accountId: string;
  userName: string | null;
  accessKeyId: string;
  result: string;
  createDate: string | null;
  deactivatedAt: string | null;
}

/**
 * The index with the keys the exposure path deactivated in this account marked as keysweep's own
 * deactivations, inactive since then (the delete rule counts from there; a user with such a key is
 * always read), as if the sweep had deactivated them. A key the index does not know yet is added. A
 * key this run read after its deactivation keeps the status the run saw (active: re-activated since),
 * with the mark.
 */
export function markExposedKeys(
  index: KeyIndex,
  exposed: readonly ExposedKeyMark[],
  run: { accountId: string | null; startedAt: string; usersRead: ReadonlySet<string> },
): KeyIndex {
  const users = structuredClone(index.users);
  for (const key of exposed) {
    if (key.result !== 'deactivated' || key.accountId !== run.accountId || key.userName === null) continue;
    if (key.deactivatedAt === null) continue;
    const entry = (users[key.userName] ??= { keys: [] });
    const known = entry.keys.find((k) => k.accessKeyId === key.accessKeyId);
    const seenSince = run.usersRead.has(key.userName) && key.deactivatedAt < run.startedAt;
    if (known) {
      known.deactivatedByKeysweep = true;
      if (seenSince && known.status === 'Active') continue; // re-activated after the exposure
      if (
        known.status === 'Active' ||
        known.inactiveSince === undefined ||
        known.inactiveSince > key.deactivatedAt
      ) {
        known.inactiveSince = key.deactivatedAt;
      }
      known.status = 'Inactive';
    } else if (seenSince) {
      continue; // deleted since: the run read the user and found no such key
    } else if (key.createDate !== null) {
      entry.keys.push({
        accessKeyId: key.accessKeyId,
        createDate: key.createDate,
        status: 'Inactive',
        deactivatedByKeysweep: true,
        inactiveSince: key.deactivatedAt,
      });
    }
  }
  const deactivatedByKeysweep = Object.entries(users)
    .filter(([, u]) => u.keys.some((k) => k.deactivatedByKeysweep))
    .map(([name]) => name)
    .sort();
  return { ...index, users, deactivatedByKeysweep };
}

/** The index in the report bucket, or why there is none to use (absent, not JSON, wrong shape). */
export async function readKeyIndex(
  s3: S3Client,
  bucket: string,
  key: string = layout.keyIndex(),
): Promise<KeyIndex | string> {
  let raw: unknown;
  try {
    raw = await getJsonIfExists(s3, bucket, key);
  } catch (error) {
    if (error instanceof SyntaxError) return `the key index ${key} is unreadable (not JSON)`;
    throw error;
  }
  if (raw === undefined) return 'first run: keysweep has no key index yet';
  const parsed = keyIndexSchema.safeParse(raw);
  return parsed.success ? parsed.data : `the key index ${key} is unreadable`;
}
