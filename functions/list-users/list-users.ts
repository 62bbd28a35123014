/**
 * First state of a run: checks the execution input, decides which users to examine, writes them
 * to the report bucket in batches and returns only small batch descriptors.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { iamForRun, type AccountIam } from '../shared/account-iam';
import type { BatchRef, UsersFile } from '../shared/batch-files';
import type { KeysweepConfig } from '../shared/config';
import { mapWithConcurrency } from '../shared/concurrency';
import { layout, runPrefix } from '../shared/report-layout';
import type { RetryOptions } from '../shared/retry';
import { parseEvent, type Run } from '../shared/run';
import { putJson } from '../shared/s3-json';
import { discoverUsers, type DiscoverDeps } from './discover-users';
import { parseAccountExecutionInput, parseExecutionInput } from './execution-input';

/**
 * Users per batch (one child execution each). At two keys a user, 50 users keep a batch's
 * actions and results far below the 256 KiB state limit and a child's history short.
 */
export const BATCH_SIZE = 50;

/** Batch files written to the report bucket at once. */
export const BATCH_WRITE_CONCURRENCY = 10;

export const listUsersEventSchema = z.object({
  input: z.unknown(),
  execution: z.object({
    id: z.string().min(1),
    name: z.string().min(1),
    startTime: z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be a date-time' }),
  }),
});

export interface ListUsersDeps {
  iam: IAMClient;
  s3: S3Client;
  bucket: string;
  config: KeysweepConfig;
  version: string;
  retry: RetryOptions;
  /** how long to wait for a credential report being generated */
  reportPolling: DiscoverDeps['report'];
  /** organization runs: the IAM of the account swept, through its member role */
  accountIam?: AccountIam;
}

export interface ListUsersResult {
  run: Run;
  batches: BatchRef[];
}

export async function listUsers(event: unknown, deps: ListUsersDeps): Promise<ListUsersResult> {
  const { input, execution } = parseEvent(listUsersEventSchema, event, 'list-users');
  const request = deps.config.organization.enabled
    ? parseAccountExecutionInput(input)
    : parseExecutionInput(input, deps.config.mode);
  const target = request.account?.target;
  const organization = request.account?.organization;
  // An account of an organization run is judged at the organization run's start: one clock for all.
  const startedAt = new Date(organization?.startedAt ?? execution.startTime).toISOString();
  const now = new Date(startedAt);
  const prefix = target?.prefix ?? runPrefix(startedAt, execution.name);
  const account =
    target && organization
      ? {
          accountId: target.accountId,
          name: target.name,
          ouPath: target.ouPath,
          adminEmails: target.adminEmails,
          organizationExecutionId: organization.executionId,
          organizationExecutionName: organization.executionName,
        }
      : undefined;

  let iam = deps.iam;
  if (account) {
    try {
      iam = await iamForRun(
        { account, executionId: execution.id, executionName: execution.name },
        deps.iam,
        deps.accountIam,
        'list-users',
      );
    } catch (error) {
      // The organization summary reads why; the execution fails at ListUsers with this error.
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await putJson(deps.s3, deps.bucket, layout.unreachable(prefix), {
        accountId: account.accountId,
        reason: why,
      });
      throw error;
    }
  }

  const discovery = await discoverUsers({
    ...deps,
    iam,
    now,
    forceFullScan: request.fullScan,
    report: deps.reportPolling,
    ...(account ? { keyIndexKey: layout.keyIndex(account.accountId) } : {}),
  });
  const batches: BatchRef[] = [];
  const users = discovery.users;
  for (let start = 0, index = 0; start < users.length; start += BATCH_SIZE, index++) {
    batches.push({ index, userCount: Math.min(BATCH_SIZE, users.length - start) });
  }
  await mapWithConcurrency(batches, BATCH_WRITE_CONCURRENCY, (batch) => {
    const file: UsersFile = { users: users.slice(batch.index * BATCH_SIZE, (batch.index + 1) * BATCH_SIZE) };
    return putJson(deps.s3, deps.bucket, layout.usersOfBatch(prefix, batch.index), file);
  });

  const run: Run = {
    executionId: execution.id,
    executionName: execution.name,
    startedAt,
    mode: request.mode,
    modeSource: request.modeSource,
    prefix,
    batchCount: batches.length,
    discovery: {
      source: discovery.source,
      reason: discovery.reason,
      usersInAccount: discovery.usersInAccount,
      usersToRead: users.length,
      credentialReportGeneratedAt: discovery.credentialReportGeneratedAt,
    },
    version: deps.version,
    deletionPaused: discovery.deletionPaused,
    ...(account ? { account } : {}),
  };
  return { run, batches };
}
