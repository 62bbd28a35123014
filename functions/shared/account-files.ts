/**
 * The files an organization run writes per batch of accounts, and what its states carry: one
 * schema each, so a writer and its reader cannot drift apart. Account lists live in S3: 1,000
 * account descriptors do not fit a state (keysweep keeps every state under 32 KiB).
 */
import { z } from 'zod';
import { actionCountsSchema } from './batch-files';
import { accountTargetSchema, organizationLimitSchema, organizationRunSchema } from './organization';

/** One account as the organization state machine hands it to the account's executions. */
export const accountItemSchema = z.object({
  target: accountTargetSchema,
  planExecutionName: z.string(),
  actExecutionName: z.string(),
  planKey: z.string(),
});
export type AccountItem = z.infer<typeof accountItemSchema>;

/** accounts/batches/NNNN-accounts.json and NNNN-act.json */
export const accountItemsFileSchema = z.array(accountItemSchema);

/** A batch of accounts, as list-accounts and check-organization-limit describe it in the state. */
export const accountBatchSchema = z.object({
  index: z.number().int().min(0),
  accountCount: z.number().int().min(0),
  /** the accounts of the batch (AccountItem[]) */
  accountsKey: z.string(),
  /** what their executions came to (AccountRecord[]), written by the state machine */
  resultsKey: z.string(),
});
export type AccountBatch = z.infer<typeof accountBatchSchema>;

/**
 * What an account's execution came to, as the organization state machine records it: the
 * execution's own report (SendReport's `report`, or the plan's when changes are to be made), or,
 * when the execution failed, the error name (its cause is in the account's files and history).
 */
export const accountReportSchema = z.object({
  outcome: z.string(),
  reportKey: z.string(),
  counts: z.unknown(),
  plannedActions: z.number().int().min(0).optional(),
});
export const accountRecordSchema = accountItemSchema.extend({
  result: z.object({ report: accountReportSchema }).optional(),
  error: z.string().optional(),
});
export type AccountRecord = z.infer<typeof accountRecordSchema>;
export const accountRecordsFileSchema = z.array(accountRecordSchema);

/** An account left out of the run, and why. */
export const skippedAccountSchema = z.object({
  accountId: z.string(),
  name: z.string(),
  ouPath: z.string(),
  status: z.string(),
  why: z.enum([
    'suspended',
    'pending-closure',
    'excluded',
    'outside-the-organizational-units',
    'not-in-the-organization',
  ]),
});
export type SkippedAccount = z.infer<typeof skippedAccountSchema>;
export const skippedAccountsFileSchema = z.array(skippedAccountSchema);

/** list-accounts' output: the organization run and its batches of accounts. */
export const accountListingSchema = z.object({
  organization: organizationRunSchema,
  batches: z.array(accountBatchSchema),
  accounts: z.object({ swept: z.number().int(), skipped: z.number().int(), source: z.string() }),
});
export type AccountListing = z.infer<typeof accountListingSchema>;

/** check-organization-limit's output. */
export const organizationDecisionSchema = z.object({
  organization: organizationRunSchema,
  decision: organizationLimitSchema,
  actBatches: z.array(accountBatchSchema),
});

/** A plan as PlanMade reports it (the account has changes to make). */
export const plannedReportCountsSchema = actionCountsSchema;

/** Accounts per batch: one child execution of each organization map runs this many accounts. */
export const ACCOUNT_BATCH_SIZE = 15;
