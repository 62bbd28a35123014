/**
 * One batch of users: reads each user's keys, tags and groups, decides every key, stores the
 * decisions (all keys) and the planned changes (deactivate/delete) in the report bucket, and
 * returns a compact summary. Changes nothing in IAM.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { iamForRun, type AccountIam } from '../shared/account-iam';
import {
  batchRefSchema,
  emptyActionCounts,
  usersFileSchema,
  type DecisionsFile,
  type FindSummary,
  type KeyRecord,
  type PlannedAction,
} from '../shared/batch-files';
import { policyOf, type KeysweepConfig } from '../shared/config';
import { mapWithConcurrency } from '../shared/concurrency';
import { decideKey, exemptionOf, inactivityOf, isChange, lastUseMatters } from '../shared/policy';
import { layout } from '../shared/report-layout';
import type { RetryOptions } from '../shared/retry';
import { parseEvent, runClock, runSchema } from '../shared/run';
import { getJson, putJson } from '../shared/s3-json';
import { ownerEmailOf } from '../shared/owner-email';
import { readUser } from './read-user';

export const findStaleKeysEventSchema = z.object({ run: runSchema, batch: batchRefSchema });

export interface FindStaleKeysDeps {
  iam: IAMClient;
  s3: S3Client;
  bucket: string;
  config: KeysweepConfig;
  retry: RetryOptions;
  /** organization runs: the IAM of the account swept, through its member role */
  accountIam?: AccountIam;
}

/** Users read in parallel within one batch. */
export const USER_CONCURRENCY = 5;

export async function findStaleKeys(event: unknown, deps: FindStaleKeysDeps): Promise<FindSummary> {
  const { run, batch } = parseEvent(findStaleKeysEventSchema, event, 'find-stale-keys');
  const now = runClock(run);
  const policy = policyOf(deps.config);
  const usersFile = usersFileSchema.parse(
    await getJson(deps.s3, deps.bucket, layout.usersOfBatch(run.prefix, batch.index)),
  );

  const iam = await iamForRun(run, deps.iam, deps.accountIam, 'find-stale-keys');
  const snapshots = await mapWithConcurrency(usersFile.users, USER_CONCURRENCY, ({ userName, reportKeys }) =>
    readUser(iam, userName, {
      readGroups: policy.exemptGroups.length > 0,
      retry: deps.retry,
      reportKeys,
      lastUseMatters: (key) => lastUseMatters(key, policy, now),
    }),
  );

  const keys: KeyRecord[] = [];
  const usersGone: string[] = [];
  const invalidExemptions: DecisionsFile['invalidExemptions'] = [];
  snapshots.forEach((snapshot, i) => {
    if (snapshot === null) {
      usersGone.push(usersFile.users[i]?.userName ?? '?');
      return;
    }
    const exemption = exemptionOf(snapshot.user, policy, now);
    if (exemption.invalidTagValue !== null) {
      invalidExemptions.push({ userName: snapshot.user.userName, value: exemption.invalidTagValue });
    }
    const ownerEmail = ownerEmailOf(snapshot.user.tags, deps.config.ownerEmailTag);
    const sightings = usersFile.users[i]?.inactiveKeys ?? [];
    for (const key of snapshot.keys) {
      const sighting = sightings.find((s) => s.accessKeyId === key.accessKeyId) ?? null;
      const inactivity = inactivityOf(key, sighting, now);
      const decision = decideKey(key, exemption, policy, now, {
        inactivity,
        deletionPaused: run.deletionPaused,
      });
      keys.push({
        userName: snapshot.user.userName,
        ...key,
        ...decision,
        inactiveSince: inactivity?.since ?? null,
        deactivatedByKeysweep: inactivity?.byKeysweep ?? false,
        ownerEmail,
      });
    }
  });

  const planned: PlannedAction[] = keys.flatMap((k) => {
    if (!isChange(k.action) || k.rule === 'none') return [];
    const action: PlannedAction = {
      userName: k.userName,
      accessKeyId: k.accessKeyId,
      action: k.action,
      rule: k.rule,
    };
    if (k.action === 'delete' && k.inactiveSince) action.inactiveSince = k.inactiveSince;
    return [action];
  });
  const decisions: DecisionsFile = {
    batchIndex: batch.index,
    keys,
    usersRead: snapshots.length - usersGone.length,
    usersGone,
    invalidExemptions,
  };
  await putJson(deps.s3, deps.bucket, layout.decisionsOfBatch(run.prefix, batch.index), decisions);
  if (planned.length > 0) {
    await putJson(deps.s3, deps.bucket, layout.actionsOfBatch(run.prefix, batch.index), planned);
  }

  const counts = emptyActionCounts();
  for (const key of keys) counts[key.action]++;
  return {
    index: batch.index,
    usersRead: decisions.usersRead,
    usersGone: usersGone.length,
    keysSeen: keys.length,
    counts,
    plannedActions: planned.length,
  };
}
