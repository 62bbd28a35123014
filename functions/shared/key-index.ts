/**
 * What keysweep knew of every user's keys after its last run (state/key-index.json): creation
 * dates, and which keys keysweep itself deactivated. With it the credential report can be trusted
 * to narrow the search: a report slot whose last_rotated matches no known creation date is a new
 * or re-activated key, and its user is read.
 */
import { z } from 'zod';
import type { DecisionsFile, KeyResult } from './batch-files';

export const keyIndexSchema = z.object({
  updatedAt: z.string(),
  users: z.record(
    z.string(),
    z.object({
      keys: z.array(
        z.object({ accessKeyId: z.string(), createDate: z.string(), status: z.enum(['Active', 'Inactive']) }),
      ),
    }),
  ),
  /** users with a key that keysweep deactivated and that still exists */
  deactivatedByKeysweep: z.array(z.string()),
});
export type KeyIndex = z.infer<typeof keyIndexSchema>;

/**
 * The index after a run: every user read this run replaces its entry; users found gone leave.
 * After a complete full scan, `previous` is dropped: users not read no longer exist.
 */
export function updateKeyIndex(
  previous: KeyIndex | null,
  decisions: readonly DecisionsFile[],
  results: ReadonlyMap<string, KeyResult>,
  resultKey: (userName: string, accessKeyId: string) => string,
  now: Date,
): KeyIndex {
  const users: KeyIndex['users'] = { ...(previous?.users ?? {}) };
  const deactivated = new Set(previous?.deactivatedByKeysweep ?? []);
  const readUsers = new Set<string>();
  for (const file of decisions) {
    for (const gone of file.usersGone) {
      delete users[gone];
      deactivated.delete(gone);
    }
    for (const key of file.keys) {
      if (!readUsers.has(key.userName)) {
        readUsers.add(key.userName);
        users[key.userName] = { keys: [] };
        deactivated.delete(key.userName);
      }
      const result = results.get(resultKey(key.userName, key.accessKeyId));
      const done = result?.result === 'done';
      if (done && key.action === 'delete') continue;
      const status = done && key.action === 'deactivate' ? 'Inactive' : key.status;
      users[key.userName]?.keys.push({ accessKeyId: key.accessKeyId, createDate: key.createDate, status });
      if (done && key.action === 'deactivate') deactivated.add(key.userName);
    }
  }
  return { updatedAt: now.toISOString(), users, deactivatedByKeysweep: [...deactivated].sort() };
}
