/**
 * Cutting an organization run's accounts into batches of ACCOUNT_BATCH_SIZE and writing each batch's
 * accounts to the report bucket, for one child execution of an organization map each: list-accounts
 * does it for the plans, check-organization-limit for the accounts that act.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ACCOUNT_BATCH_SIZE, type AccountBatch } from './account-files';
import { mapWithConcurrency } from './concurrency';
import { putJson } from './s3-json';

/** Batch files written at once. */
const WRITE_CONCURRENCY = 10;

export async function writeAccountBatches(
  s3: S3Client,
  bucket: string,
  items: readonly unknown[],
  keys: { accounts: (index: number) => string; results: (index: number) => string },
): Promise<AccountBatch[]> {
  const batches: AccountBatch[] = [];
  for (let start = 0, index = 0; start < items.length; start += ACCOUNT_BATCH_SIZE, index++) {
    batches.push({
      index,
      accountCount: Math.min(ACCOUNT_BATCH_SIZE, items.length - start),
      accountsKey: keys.accounts(index),
      resultsKey: keys.results(index),
    });
  }
  await mapWithConcurrency(batches, WRITE_CONCURRENCY, (batch) =>
    putJson(
      s3,
      bucket,
      batch.accountsKey,
      items.slice(batch.index * ACCOUNT_BATCH_SIZE, (batch.index + 1) * ACCOUNT_BATCH_SIZE),
    ),
  );
  return batches;
}
