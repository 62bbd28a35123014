/**
 * One key an AWS Health AWS_RISK_CREDENTIALS_EXPOSED event names: claim the event and key (once per
 * event ARN, account and key, exposure.ts), find the key's user, and deactivate the key at once,
 * whatever its age and whatever its user's exemption (which is named in the result, so the emails can
 * say what was overridden). With exposedKeys "report" the key is found and reported, never changed.
 *
 * AWS facts relied on:
 * - GetAccessKeyLastUsed takes only the key ID and returns `UserName`, "the name of the IAM user that
 *   owns this access key" (IAM API reference), and the key's last use (date, service, Region), which
 *   the emails give as the first thing to look for in CloudTrail.
 * - For a key that does not exist IAM's earlier API model listed NoSuchEntity for GetAccessKeyLastUsed
 *   (the current reference lists no operation-specific error); the simulated account answers
 *   NoSuchEntity, and so does moto. A key gone before keysweep got to it is reported as gone; any other
 *   error fails the key, and the admins are told.
 * - AWS attaches a quarantine policy (AWSCompromisedKeyQuarantineV3, a Deny of iam:UpdateAccessKey,
 *   iam:CreateAccessKey, cloudtrail:LookupEvents and more) to the exposed key's user; it limits what that
 *   user may do, not what keysweep's role may do to the user's key.
 * In an organization the key's account (detail.affectedAccount) may be another account than this one:
 * keysweep then works there through the member role, its session limited to the actions below.
 */
import {
  GetAccessKeyLastUsedCommand,
  UpdateAccessKeyCommand,
  type GetAccessKeyLastUsedCommandOutput,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { policyOf, type KeysweepConfig } from '../shared/config';
import {
  claimRecord,
  exposedKeyActions,
  exposureRecordId,
  saveRecord,
  type ClaimDecision,
  type ExposedKeyResult,
  type ExposureRecord,
} from '../shared/exposure';
import {
  EXPOSED_KEY_EVENT_TYPE,
  exposureEventRefSchema,
  TEMPORARY_ACCESS_KEY_ID,
  USER_ACCESS_KEY_ID,
} from '../shared/health-event';
import { isNoSuchEntity, listAccessKeys, listGroupNames, listUserTags } from '../shared/iam-users';
import { ownerEmailOf } from '../shared/owner-email';
import { exemptionOf } from '../shared/policy';
import { isThrottling, withRetry, type RetryOptions } from '../shared/retry';
import { executionAccount, parseEvent } from '../shared/run';

/** An error text for the result: one line, at most 500 characters (the emails mask key IDs in it). */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 500);

export const deactivateExposedKeyEventSchema = z.object({
  event: exposureEventRefSchema,
  /** one item of detail.affectedEntities */
  entity: z.object({ entityValue: z.string() }),
  execution: z.object({ id: z.string().min(1), name: z.string().min(1), startTime: z.string() }),
  /** the step's $$.State.RetryCount: 0 on the first attempt */
  retryCount: z.number().int().min(0).default(0),
});
export type DeactivateExposedKeyEvent = z.input<typeof deactivateExposedKeyEventSchema>;

export interface DeactivateExposedKeyDeps {
  /** IAM of this account */
  iam: IAMClient;
  s3: S3Client;
  bucket: string;
  config: KeysweepConfig;
  retry: RetryOptions;
  /** IAM of another account of the organization, through the member role, limited to `actions` */
  memberIam: (accountId: string, partition: string, actions: readonly string[]) => Promise<IAMClient>;
  clock: () => Date;
}

type Found = Omit<ExposedKeyResult, 'accountId' | 'accessKeyId' | 'firstHandling' | 'handledBy'>;

const EMPTY: Omit<Found, 'result'> = {
  userName: null,
  createDate: null,
  statusBefore: null,
  lastUsed: null,
  exemption: null,
  ownerEmail: null,
  keyCount: null,
  deactivatedAt: null,
};

function lastUseOf(response: GetAccessKeyLastUsedCommandOutput): ExposedKeyResult['lastUsed'] {
  const last = response.AccessKeyLastUsed;
  const known = (value: string | undefined) => (value === undefined || value === 'N/A' ? null : value);
  return {
    date: last?.LastUsedDate?.toISOString() ?? null,
    service: known(last?.ServiceName),
    region: known(last?.Region),
  };
}

/** The IAM of the key's account: this one's, or the member role's in another account. */
async function iamOf(
  accountId: string,
  own: { accountId: string; partition: string },
  deps: DeactivateExposedKeyDeps,
): Promise<IAMClient | string> {
  if (accountId === own.accountId) return deps.iam;
  if (!deps.config.organization.enabled) {
    return `the key is in account ${accountId}, not in this one (${own.accountId}), and organization is off: keysweep cannot act there`;
  }
  return deps.memberIam(accountId, own.partition, exposedKeyActions(deps.config));
}

/** Finds the key's user and state, and deactivates it unless it is inactive, gone, or exposedKeys is "report". */
async function handleKey(
  iam: IAMClient,
  accessKeyId: string,
  afterOwnAttempt: boolean,
  deps: DeactivateExposedKeyDeps,
): Promise<Found> {
  let lastUsedResponse: GetAccessKeyLastUsedCommandOutput;
  try {
    lastUsedResponse = await withRetry(
      () => iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })),
      deps.retry,
    );
  } catch (error) {
    if (!isNoSuchEntity(error)) throw error;
    return {
      ...EMPTY,
      result: 'gone',
      detail: 'no such access key: it was deleted before keysweep got to it',
    };
  }
  const userName = lastUsedResponse.UserName;
  if (!userName) throw new Error('IAM named no user for the key (GetAccessKeyLastUsed returned no UserName)');
  const lastUsed = lastUseOf(lastUsedResponse);
  const found = { ...EMPTY, userName, lastUsed };
  try {
    const keys = await listAccessKeys(iam, userName, deps.retry);
    const current = keys.find((k) => k.accessKeyId === accessKeyId);
    if (current === undefined) {
      return { ...found, result: 'gone', detail: `the key is no longer among ${userName}'s keys` };
    }
    const policy = policyOf(deps.config);
    const tags = await listUserTags(iam, userName, deps.retry);
    const groups = policy.exemptGroups.length > 0 ? await listGroupNames(iam, userName, deps.retry) : [];
    const { exemption } = exemptionOf({ userName, tags, groups }, policy, deps.clock());
    const facts: Found = {
      ...found,
      result: 'reported',
      createDate: current.createDate,
      statusBefore: current.status,
      keyCount: keys.length,
      ownerEmail: ownerEmailOf(tags, deps.config.ownerEmailTag),
      exemption: exemption === null ? null : exemption.description,
    };
    if (current.status === 'Inactive' && afterOwnAttempt && deps.config.exposedKeys === 'deactivate') {
      // As deactivate-key does: the earlier attempt is the likely author, not a proven one.
      return {
        ...facts,
        statusBefore: 'Active',
        result: 'deactivated',
        detail: 'deactivated by an earlier attempt of this step (inactive on its retry)',
        deactivatedAt: deps.clock().toISOString(),
      };
    }
    if (current.status === 'Inactive') {
      return {
        ...facts,
        result: 'already-inactive',
        detail: 'it was inactive already when keysweep got to it',
      };
    }
    if (deps.config.exposedKeys === 'report') {
      return {
        ...facts,
        result: 'reported',
        detail: 'exposedKeys is "report": keysweep did not deactivate it',
      };
    }
    await withRetry(
      () =>
        iam.send(
          new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }),
        ),
      deps.retry,
    );
    const overridden = facts.exemption === null ? '' : `, whatever its exemption (${facts.exemption})`;
    return {
      ...facts,
      result: 'deactivated',
      detail: `deactivated at once${overridden}`,
      deactivatedAt: deps.clock().toISOString(),
    };
  } catch (error) {
    if (!isNoSuchEntity(error)) throw error;
    return { ...found, result: 'gone', detail: `the key or its user ${userName} no longer exists` };
  }
}

/** What a record found at claim time says of this event and key, for an execution that will not act. */
function notActing(decision: Extract<ClaimDecision, { kind: 'handled' | 'elsewhere' }>): Found {
  const { record } = decision;
  const earlier = record.result;
  const when = record.claimedBy.at.slice(0, 16).replace('T', ' ');
  const base: Found = {
    ...EMPTY,
    result: decision.kind === 'handled' ? 'repeat' : 'elsewhere',
    userName: earlier?.userName ?? null,
    detail:
      decision.kind === 'handled'
        ? `a repeat of an event execution ${record.claimedBy.name} handled at ${when} UTC (${earlier?.result ?? 'unknown'}): nothing done, nobody emailed again`
        : `execution ${record.claimedBy.name} has been handling this event and key since ${when} UTC: it acts and emails`,
  };
  return base;
}

export async function deactivateExposedKey(
  raw: unknown,
  deps: DeactivateExposedKeyDeps,
): Promise<ExposedKeyResult> {
  const { event, entity, execution, retryCount } = parseEvent(
    deactivateExposedKeyEventSchema,
    raw,
    'deactivate-exposed-key',
  );
  const accessKeyId = entity.entityValue.trim();
  const base = { accountId: event.affectedAccount, accessKeyId };
  if (event.eventTypeCode !== EXPOSED_KEY_EVENT_TYPE) {
    throw new Error(
      `deactivate-exposed-key handles ${EXPOSED_KEY_EVENT_TYPE} events, not ${event.eventTypeCode}`,
    );
  }
  const own = executionAccount(execution.id);
  if (own === null)
    throw new Error(`deactivate-exposed-key cannot read the account of execution ${execution.id}`);

  const now = deps.clock().toISOString();
  const fresh: ExposureRecord = {
    recordId: exposureRecordId(event.affectedAccount, accessKeyId, event.eventArn),
    eventArn: event.eventArn,
    accountId: event.affectedAccount,
    accessKeyId,
    status: 'acting',
    claimedBy: { name: execution.name, id: execution.id, at: now },
    updatedAt: now,
  };
  let claim: ClaimDecision;
  try {
    claim = await claimRecord(deps.s3, deps.bucket, fresh);
  } catch (error) {
    // Without its record keysweep cannot tell a repeat: it does not act, and the admins are told.
    if (isThrottling(error) || !(error instanceof Error)) throw error;
    const why = oneLine(`${error.name}: ${error.message}`);
    return {
      ...base,
      ...EMPTY,
      result: 'failed',
      error: `could not claim the event's record in the report bucket (${why})`,
      firstHandling: true,
      handledBy: null,
    };
  }
  if (claim.kind === 'handled' || claim.kind === 'elsewhere') {
    return {
      ...base,
      ...notActing(claim),
      firstHandling: false,
      handledBy: claim.record.claimedBy.name,
    };
  }
  // This execution's own record, already acted on: an attempt that timed out after saving it.
  if (claim.kind === 'retry' && claim.record.result && claim.record.status !== 'acting') {
    return claim.record.result;
  }
  const record: ExposureRecord = claim.kind === 'retry' ? claim.record : fresh;

  let found: Found;
  if (!USER_ACCESS_KEY_ID.test(accessKeyId)) {
    found = {
      ...EMPTY,
      result: 'not-a-user-key',
      detail: TEMPORARY_ACCESS_KEY_ID.test(accessKeyId)
        ? 'temporary credentials (ASIA...), which no IAM user owns: revoke the sessions of the role that issued them'
        : 'not an access key ID: nothing to deactivate',
    };
  } else {
    try {
      const iam = await iamOf(event.affectedAccount, own, deps);
      found =
        typeof iam === 'string'
          ? { ...EMPTY, result: 'failed', error: iam }
          : await handleKey(iam, accessKeyId, retryCount > 0 || claim.kind === 'retry', deps);
    } catch (error) {
      // Throttling that outlasted the retries goes back to Step Functions, which retries the step.
      if (isThrottling(error) || !(error instanceof Error)) throw error;
      found = { ...EMPTY, result: 'failed', error: oneLine(`${error.name}: ${error.message}`) };
    }
  }
  const result: ExposedKeyResult = { ...base, ...found, firstHandling: true, handledBy: null };
  await saveRecord(deps.s3, deps.bucket, {
    ...record,
    status: result.result === 'failed' ? 'failed' : 'acted',
    result,
    updatedAt: deps.clock().toISOString(),
  });
  return result;
}
