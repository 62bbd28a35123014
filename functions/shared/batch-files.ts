/**
 * The files a run writes per batch of users, and the small summaries that travel in the state:
 * one schema each, so a writer and its reader cannot drift apart.
 */
import { z } from 'zod';
import { ACTIONS } from './policy';

const action = z.enum(ACTIONS as ['deactivate', 'delete', 'warn', 'exempt', 'none']);
const change = z.enum(['deactivate', 'delete']);

/** A batch as list-users describes it in the state. */
export const batchRefSchema = z.object({
  index: z.number().int().min(0),
  userCount: z.number().int().min(0),
});
export type BatchRef = z.infer<typeof batchRefSchema>;

/** batches/NNNN-users.json */
export const reportKeySlotSchema = z.object({
  active: z.boolean(),
  lastRotated: z.string().nullable(),
  lastUsedDate: z.string().nullable(),
});

/** An inactive key of the user as the key index remembers it (key-index.ts): since when keysweep has seen it inactive. */
export const inactiveSightingSchema = z.object({
  accessKeyId: z.string(),
  /** null: the index did not record it (written before keysweep counted): first seen now */
  inactiveSince: z.string().nullable(),
  deactivatedByKeysweep: z.boolean(),
});
export type IndexedInactiveKey = z.infer<typeof inactiveSightingSchema>;

export const usersFileSchema = z.object({
  users: z.array(
    z.object({
      userName: z.string().min(1),
      /** the user's key slots in the credential report: hints of last use, never decisions */
      reportKeys: z.array(reportKeySlotSchema).optional(),
      /** the user's inactive keys in the key index (absent: none, or no index) */
      inactiveKeys: z.array(inactiveSightingSchema).optional(),
    }),
  ),
});
export type UsersFile = z.infer<typeof usersFileSchema>;

export const exemptionSchema = z.object({
  source: z.enum(['tag', 'group']),
  until: z.string().nullable(),
  description: z.string(),
});

/** One access key with what keysweep decided about it. Stays in the account (full key ID). */
export const keyRecordSchema = z.object({
  userName: z.string(),
  accessKeyId: z.string(),
  status: z.enum(['Active', 'Inactive']),
  createDate: z.string(),
  lastUsedDate: z.string().nullable(),
  /** iam: GetAccessKeyLastUsed; credential-report: the report (null there means N/A: not used before the report) */
  lastUsedSource: z.enum(['iam', 'credential-report']),
  /** the credential report's last_rotated when it is not the creation: the key was re-activated */
  lastRotated: z.string().nullable().optional(),
  ageDays: z.number().int(),
  unusedDays: z.number().int(),
  action,
  rule: z.enum(['age', 'unused', 'delete', 'none']),
  reason: z.string(),
  deactivationDate: z.string().nullable(),
  /**
   * for a warning before a deletion: the day (YYYY-MM-DD) the key will be deleted if nothing changes.
   * Optional so that decisions written before it existed still parse; absent means null.
   */
  deletionDate: z.string().nullable().optional(),
  /**
   * for an Inactive key: since when keysweep counts it inactive (the first run that saw it so, or
   * this one); what the key index keeps. Optional like deletionDate; absent means null.
   */
  inactiveSince: z.string().nullable().optional(),
  /** keysweep deactivated this key, in an earlier run (what the key index says); absent means false */
  deactivatedByKeysweep: z.boolean().optional(),
  exemption: exemptionSchema.nullable(),
  ownerEmail: z.string().nullable(),
});
export type KeyRecord = z.infer<typeof keyRecordSchema>;

/** batches/NNNN-decisions.json */
export const decisionsFileSchema = z.object({
  batchIndex: z.number().int(),
  keys: z.array(keyRecordSchema),
  usersRead: z.number().int(),
  /** users listed at the start of the run that no longer existed when their keys were read */
  usersGone: z.array(z.string()),
  invalidExemptions: z.array(z.object({ userName: z.string(), value: z.string() })),
});
export type DecisionsFile = z.infer<typeof decisionsFileSchema>;

/** One planned change, as the ActOnKeys child workflow hands it to deactivate-key. */
export const plannedActionSchema = z.object({
  userName: z.string().min(1),
  accessKeyId: z.string().min(1),
  action: change,
  rule: z.enum(['age', 'unused', 'delete']),
  /**
   * for a deletion: since when keysweep has seen the key inactive, so that the re-check can tell
   * whether it was used since; a deletion planned without it is not done
   */
  inactiveSince: z.string().optional(),
});
export type PlannedAction = z.infer<typeof plannedActionSchema>;

/** batches/NNNN-actions.json */
export const actionsFileSchema = z.array(plannedActionSchema);

/** What happened to one planned change (deactivate-key's output, or the ASL's RecordKeyFailure). */
export const keyResultSchema = z.object({
  userName: z.string(),
  accessKeyId: z.string(),
  action: change,
  result: z.enum(['done', 'skipped', 'dry-run', 'failed']),
  detail: z.string().optional(),
  /** one line, without quotes or backslashes (results travel through States.JsonToString) */
  error: z.string().optional(),
});
export type KeyResult = z.infer<typeof keyResultSchema>;

/** batches/NNNN-results.json */
export const resultsFileSchema = z.array(keyResultSchema);

export const actionCountsSchema = z.object({
  deactivate: z.number().int(),
  delete: z.number().int(),
  warn: z.number().int(),
  exempt: z.number().int(),
  none: z.number().int(),
});
export type ActionCounts = z.infer<typeof actionCountsSchema>;

export function emptyActionCounts(): ActionCounts {
  return { deactivate: 0, delete: 0, warn: 0, exempt: 0, none: 0 };
}

/** find-stale-keys' output: a compact summary of one batch, whatever its size. */
export const findSummarySchema = z.object({
  index: z.number().int().min(0),
  usersRead: z.number().int(),
  usersGone: z.number().int(),
  keysSeen: z.number().int(),
  counts: actionCountsSchema,
  plannedActions: z.number().int(),
});
export type FindSummary = z.infer<typeof findSummarySchema>;

/** A batch that has changes to make, as check-action-limit hands it to the ActOnKeys map. */
export const actBatchSchema = z.object({
  index: z.number().int().min(0),
  actionCount: z.number().int().min(1),
  actionsKey: z.string(),
  resultsKey: z.string(),
});
export type ActBatch = z.infer<typeof actBatchSchema>;

/** check-action-limit's verdict. */
export const planSchema = z.object({
  plannedActions: z.number().int(),
  maxActionsPerRun: z.number().int(),
  /** more planned changes than maxActionsPerRun: in enforce mode the run changes nothing */
  limitExceeded: z.boolean(),
  /** the same comparison whatever the mode (a report-mode run says enforcing would trip the breaker) */
  overLimit: z.boolean(),
  keysSeen: z.number().int(),
  usersRead: z.number().int(),
  usersGone: z.number().int(),
  counts: actionCountsSchema,
  batches: z.array(actBatchSchema),
});
export type Plan = z.infer<typeof planSchema>;
