/** Decision records, plans and key results for the send-report tests. */
import type { DecisionsFile, KeyRecord, KeyResult, Plan } from '../../../functions/shared/batch-files';
import { layout } from '../../../functions/shared/report-layout';
import { PREFIX, daysAgo, keyId } from '../fixtures';

const DEFAULTS: Record<KeyRecord['action'], Partial<KeyRecord>> = {
  deactivate: { rule: 'age', ageDays: 120, reason: 'created 2026-07-31, 120 days ago; limit 90' },
  delete: {
    rule: 'delete',
    status: 'Inactive',
    ageDays: 200,
    reason: 'inactive, created 2026-05-12, 200 days ago; delete limit 180',
  },
  warn: {
    rule: 'age',
    ageDays: 80,
    reason: 'created 2026-09-09, 80 days ago; will be deactivated on or after 2026-12-08 (limit 90)',
    deactivationDate: '2026-12-08',
  },
  exempt: {
    rule: 'age',
    ageDays: 300,
    reason:
      'would deactivate (created 2026-02-01, 300 days ago; limit 90) but exempt: member of group break-glass',
    exemption: { source: 'group', until: null, description: 'member of group break-glass' },
  },
  none: { rule: 'none', ageDays: 10, reason: 'created 2026-11-18, 10 days ago; within limit 90' },
};

/** One key with its decision; n numbers the key ID. */
export function record(
  userName: string,
  n: number,
  action: KeyRecord['action'],
  more: Partial<KeyRecord> = {},
): KeyRecord {
  const base = DEFAULTS[action];
  const ageDays = more.ageDays ?? base.ageDays ?? 10;
  return {
    userName,
    accessKeyId: keyId(n),
    status: 'Active',
    createDate: daysAgo(ageDays),
    lastUsedDate: daysAgo(1),
    lastUsedSource: 'iam',
    ageDays,
    unusedDays: 1,
    action,
    rule: 'none',
    reason: '',
    deactivationDate: null,
    exemption: null,
    ownerEmail: `${userName}@example.com`,
    ...base,
    ...more,
  };
}

export function decisionsFile(
  batchIndex: number,
  keys: KeyRecord[],
  more: Partial<DecisionsFile> = {},
): DecisionsFile {
  const users = new Set(keys.map((k) => k.userName));
  return { batchIndex, keys, usersRead: users.size, usersGone: [], invalidExemptions: [], ...more };
}

/** The plan check-action-limit makes for these decision files. */
export function planOf(files: DecisionsFile[], maxActionsPerRun = 100): Plan {
  const counts = { deactivate: 0, delete: 0, warn: 0, exempt: 0, none: 0 };
  for (const file of files) for (const key of file.keys) counts[key.action]++;
  const batches = files
    .map((file) => ({
      index: file.batchIndex,
      actionCount: file.keys.filter((k) => k.action === 'deactivate' || k.action === 'delete').length,
      actionsKey: layout.actionsOfBatch(PREFIX, file.batchIndex),
      resultsKey: layout.resultsOfBatch(PREFIX, file.batchIndex),
    }))
    .filter((b) => b.actionCount > 0);
  const plannedActions = counts.deactivate + counts.delete;
  return {
    plannedActions,
    maxActionsPerRun,
    limitExceeded: plannedActions > maxActionsPerRun,
    overLimit: plannedActions > maxActionsPerRun,
    keysSeen: files.reduce((sum, f) => sum + f.keys.length, 0),
    usersRead: files.reduce((sum, f) => sum + f.usersRead, 0),
    usersGone: files.reduce((sum, f) => sum + f.usersGone.length, 0),
    counts,
    batches,
  };
}

export function result(
  key: KeyRecord,
  outcome: Omit<KeyResult, 'userName' | 'accessKeyId' | 'action'>,
): KeyResult {
  if (key.action !== 'deactivate' && key.action !== 'delete') throw new Error('only changes have results');
  return { userName: key.userName, accessKeyId: key.accessKeyId, action: key.action, ...outcome };
}
