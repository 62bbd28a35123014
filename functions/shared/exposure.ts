/**
 * What the exposure path keeps and hands on: each exposed key's result (the key step's output, the
 * notify step's input), keysweep's record of one event and key in the report bucket (so that an event
 * is acted on and emailed about once), and an exposure run's report (exposure.json, which the daily
 * report reads). One schema each, so a writer and its reader cannot drift apart.
 *
 * The record, state/exposures/<record ID>.json, is claimed with a conditional write: PutObject with
 * `If-None-Match: *` "uploads the object only if the object key name does not already exist ...
 * Otherwise, Amazon S3 returns a 412 Precondition Failed error", and two such writes at once get one
 * success and a 409 ConditionalRequestConflict (S3 User Guide, "How to prevent object overwrites with
 * conditional writes"; it needs s3:PutObject only). So of two deliveries of one event arriving together
 * (a page, a backup copy, an update), one execution acts and the other finds the claim.
 * The record ID is a hash: object keys reach X-Ray traces, and a key ID may not.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { KeysweepConfig } from './config';
import { layout } from './report-layout';
import { getJsonIfExists } from './s3-json';

/**
 * The IAM actions of the exposure path's key step in the key's account (its role in this account, its
 * session policy in a member account): find the key's user, read the key and the user's tags (and
 * groups, for the exemption it names), and deactivate it, only when exposedKeys may.
 */
export function exposedKeyActions(config: Pick<KeysweepConfig, 'exemptGroups' | 'exposedKeys'>): string[] {
  return [
    'iam:GetAccessKeyLastUsed',
    'iam:ListAccessKeys',
    'iam:ListUserTags',
    ...(config.exemptGroups.length > 0 ? ['iam:ListGroupsForUser'] : []),
    ...(config.exposedKeys === 'deactivate' ? ['iam:UpdateAccessKey'] : []),
  ];
}

export const EXPOSED_KEY_RESULTS = [
  /** keysweep deactivated it */
  'deactivated',
  /** it was inactive already (someone was quicker, or an earlier attempt of this step did it) */
  'already-inactive',
  /** no such key (deleted before keysweep got to it) */
  'gone',
  /** exposedKeys is "report": found and reported, not changed */
  'reported',
  /** not an IAM user's access key ID (temporary credentials, or not a key ID at all) */
  'not-a-user-key',
  /** an earlier execution handled this event and key: nothing done, nobody emailed again */
  'repeat',
  /** another execution is handling this event and key right now */
  'elsewhere',
  'failed',
] as const;
export type ExposedKeyResultKind = (typeof EXPOSED_KEY_RESULTS)[number];

/** One exposed key, as its step leaves it (full key ID: state and bucket stay in the account). */
export const exposedKeyResultSchema = z.object({
  accountId: z.string(),
  accessKeyId: z.string(),
  result: z.enum(EXPOSED_KEY_RESULTS),
  detail: z.string().optional(),
  error: z.string().optional(),
  /** this execution handles the key and tells people; false for a repeat or a key handled elsewhere */
  firstHandling: z.boolean().default(true),
  userName: z.string().nullable().default(null),
  createDate: z.string().nullable().default(null),
  /** the key's status before this execution (null: unknown, or no such key) */
  statusBefore: z.enum(['Active', 'Inactive']).nullable().default(null),
  lastUsed: z
    .object({ date: z.string().nullable(), service: z.string().nullable(), region: z.string().nullable() })
    .nullable()
    .default(null),
  /** the user's exemption, which does not protect an exposed key (named so that admins know) */
  exemption: z.string().nullable().default(null),
  ownerEmail: z.string().nullable().default(null),
  /** how many access keys the user has, this one included (IAM allows two) */
  keyCount: z.number().int().nullable().default(null),
  /** when this execution deactivated it */
  deactivatedAt: z.string().nullable().default(null),
  /** for a repeat or a key handled elsewhere: the execution that handles it */
  handledBy: z.string().nullable().default(null),
});
export type ExposedKeyResult = z.output<typeof exposedKeyResultSchema>;

/** Whether this execution tells the admins and the owner about the key. */
export const notifies = (key: Pick<ExposedKeyResult, 'firstHandling' | 'result'>): boolean =>
  key.firstHandling && key.result !== 'repeat' && key.result !== 'elsewhere';

/** Who claimed a record: the execution, and when. */
const claimantSchema = z.object({ name: z.string(), id: z.string(), at: z.string() });

export const exposureRecordSchema = z.object({
  recordId: z.string(),
  eventArn: z.string(),
  accountId: z.string(),
  accessKeyId: z.string(),
  /**
   * acting: claimed, being handled; acted: handled, people not told yet; notified: done; failed: the
   * attempt failed (the next delivery of the event tries again)
   */
  status: z.enum(['acting', 'acted', 'notified', 'failed']),
  claimedBy: claimantSchema,
  result: exposedKeyResultSchema.optional(),
  notified: z.object({ admins: z.boolean(), owner: z.string().nullable() }).optional(),
  updatedAt: z.string(),
});
export type ExposureRecord = z.infer<typeof exposureRecordSchema>;

/** A claim older than this, still "acting", belongs to an execution that died: it may be taken over. */
export const STALE_CLAIM_MS = 15 * 60_000;

export function exposureRecordId(accountId: string, accessKeyId: string, eventArn: string): string {
  return createHash('sha256').update(`${accountId}/${accessKeyId}/${eventArn}`).digest('hex').slice(0, 32);
}

export type ClaimDecision =
  /** ours now: act and tell */
  | { kind: 'claimed' }
  /** ours already: a retry of this execution's step */
  | { kind: 'retry'; record: ExposureRecord }
  /** handled by an earlier execution: a repeat */
  | { kind: 'handled'; record: ExposureRecord }
  /** another execution is acting on it now */
  | { kind: 'elsewhere'; record: ExposureRecord }
  /** a failed or dead claim: overwrite it and act */
  | { kind: 'take-over'; record: ExposureRecord };

/** What to do with an event and key whose record exists already. Pure. */
export function decideOnRecord(record: ExposureRecord, executionName: string, now: Date): ClaimDecision {
  if (record.claimedBy.name === executionName) return { kind: 'retry', record };
  if (record.status === 'acted' || record.status === 'notified') return { kind: 'handled', record };
  if (record.status === 'failed') return { kind: 'take-over', record };
  const age = now.getTime() - Date.parse(record.claimedBy.at);
  return age >= STALE_CLAIM_MS ? { kind: 'take-over', record } : { kind: 'elsewhere', record };
}

/** How often a claim is tried again after a 409 (another conditional write at the same moment). */
const CONFLICT_ATTEMPTS = 3;

function putRecord(s3: S3Client, bucket: string, record: ExposureRecord, onlyIfNew: boolean) {
  return s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: layout.exposureRecord(record.recordId),
      Body: JSON.stringify(record),
      ContentType: 'application/json',
      ...(onlyIfNew ? { IfNoneMatch: '*' } : {}),
    }),
  );
}

export async function readRecord(s3: S3Client, bucket: string, recordId: string) {
  const raw = await getJsonIfExists(s3, bucket, layout.exposureRecord(recordId)).catch((error: unknown) => {
    if (error instanceof SyntaxError) return null; // unreadable: as good as none
    throw error;
  });
  const parsed = exposureRecordSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/**
 * Claims the record of an event and key for this execution (see the file comment): a fresh claim,
 * a take-over of a failed or dead one, or what another execution (or an earlier attempt of this one)
 * made of it. A 412 means the record exists, so it is read (no s3:ListBucket needed: the object is
 * there); a 409 means another write at the same moment, and the claim is tried again.
 */
export async function claimRecord(
  s3: S3Client,
  bucket: string,
  fresh: ExposureRecord,
): Promise<ClaimDecision> {
  for (let attempt = 1; ; attempt++) {
    try {
      await putRecord(s3, bucket, fresh, true);
      return { kind: 'claimed' };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'ConditionalRequestConflict' && attempt < CONFLICT_ATTEMPTS) continue;
      if (name !== 'PreconditionFailed') throw error;
    }
    const existing = await readRecord(s3, bucket, fresh.recordId);
    const decision =
      existing === null
        ? ({ kind: 'take-over', record: fresh } as const)
        : decideOnRecord(existing, fresh.claimedBy.name, new Date(fresh.claimedBy.at));
    if (decision.kind === 'take-over') await putRecord(s3, bucket, fresh, false);
    return decision;
  }
}

export async function saveRecord(s3: S3Client, bucket: string, record: ExposureRecord): Promise<void> {
  await putRecord(s3, bucket, record, false);
}

/** An exposure run's report: runs/<date>/<execution name>/exposure.json. */
export const exposureReportSchema = z.object({
  kind: z.literal('exposure'),
  keysweepVersion: z.string(),
  executionId: z.string(),
  executionName: z.string(),
  consoleUrl: z.string().nullable(),
  /** the account the exposure state machine runs in */
  hubAccountId: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  event: z.object({
    id: z.string(),
    eventArn: z.string(),
    time: z.string(),
    account: z.string(),
    affectedAccount: z.string(),
  }),
  exposedKeys: z.enum(['deactivate', 'report']),
  outcome: z.enum(['ok', 'keys-failed']),
  cause: z.string(),
  keys: z.array(exposedKeyResultSchema.extend({ maskedAccessKeyId: z.string() })),
  notifications: z.object({
    admins: z.string(),
    owners: z.array(z.object({ accountId: z.string(), userName: z.string(), status: z.string() })),
  }),
});
export type ExposureReport = z.output<typeof exposureReportSchema>;
export type ExposureReportKey = ExposureReport['keys'][number];
