/**
 * The organization's circuit breaker, decided after every account's plan and before any change
 * in any account: adds up the changes the accounts plan to make (accounts in enforce mode within
 * their own maxActionsPerRun; the others change nothing anyway), compares the sum with
 * maxActionsPerOrgRun, and writes the accounts that have changes to make in batches for their act
 * executions. Over the limit, those executions still run, and change nothing: each sends its
 * report, held by the organization's limit.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import {
  accountBatchSchema,
  accountRecordsFileSchema,
  type AccountBatch,
  type AccountItem,
  type AccountRecord,
} from '../shared/account-files';
import type { OrganizationConfig } from '../shared/config';
import { writeAccountBatches } from '../shared/account-batches';
import { mapWithConcurrency } from '../shared/concurrency';
import { organizationRunSchema, type OrganizationLimit, type OrganizationRun } from '../shared/organization';
import { layout } from '../shared/report-layout';
import { parseEvent } from '../shared/run';
import { getJsonIfExists } from '../shared/s3-json';

export const checkOrganizationLimitEventSchema = z.object({
  organization: organizationRunSchema,
  batches: z.array(accountBatchSchema),
});

export interface CheckOrganizationLimitDeps {
  s3: S3Client;
  bucket: string;
  organization: Pick<OrganizationConfig, 'maxActionsPerOrgRun'>;
}

/** Reads the records of every batch (a batch whose file is missing counts as none). */
export async function readRecords(
  s3: S3Client,
  bucket: string,
  batches: readonly AccountBatch[],
): Promise<AccountRecord[]> {
  const files = await mapWithConcurrency(batches, 10, async (batch) => {
    const raw = await getJsonIfExists(s3, bucket, batch.resultsKey);
    return raw === undefined ? [] : accountRecordsFileSchema.parse(raw);
  });
  return files.flat();
}

/** The accounts whose plan execution ended with changes to make, and the organization's verdict. */
export function decide(
  records: readonly AccountRecord[],
  maxActionsPerOrgRun: number,
): { decision: OrganizationLimit; toAct: AccountItem[] } {
  const planned = records.filter((r) => r.result?.report.outcome === 'planned');
  const plannedActions = planned.reduce((sum, r) => sum + (r.result?.report.plannedActions ?? 0), 0);
  const toAct = planned.map(({ target, planExecutionName, actExecutionName, planKey }) => ({
    target,
    planExecutionName,
    actExecutionName,
    planKey,
  }));
  return {
    decision: {
      plannedActions,
      maxActionsPerOrgRun,
      limitExceeded: plannedActions > maxActionsPerOrgRun,
      accountsToAct: toAct.length,
    },
    toAct,
  };
}

export async function checkOrganizationLimit(
  event: unknown,
  deps: CheckOrganizationLimitDeps,
): Promise<{ organization: OrganizationRun; decision: OrganizationLimit; actBatches: AccountBatch[] }> {
  const { organization, batches } = parseEvent(
    checkOrganizationLimitEventSchema,
    event,
    'check-organization-limit',
  );
  const records = await readRecords(deps.s3, deps.bucket, batches);
  const { decision, toAct } = decide(records, deps.organization.maxActionsPerOrgRun);
  const actBatches = await writeAccountBatches(deps.s3, deps.bucket, toAct, {
    accounts: (index) => layout.accountsToActOfBatch(organization.prefix, index),
    results: (index) => layout.actResultsOfBatch(organization.prefix, index),
  });
  return { organization, decision, actBatches };
}
