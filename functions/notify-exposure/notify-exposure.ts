/**
 * The last step of an exposure run: stores what the run did (runs/<date>/<execution>/exposure.json,
 * which the next daily report lists), emails the admins at once, then each owner with what to do now,
 * and marks each event and key's record as told, so that a retried step or a repeated event emails
 * nobody twice. A key whose step failed keeps its record as that step left it (failed, or a claim that
 * turns stale): the next delivery of the event tries again. Keys handled before (repeats) or by another execution are reported, never emailed about.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESClient } from '@aws-sdk/client-ses';
import { z } from 'zod';
import { mapWithConcurrency } from '../shared/concurrency';
import type { KeysweepConfig } from '../shared/config';
import type { RenderedEmail } from '../shared/email-html';
import {
  exposedKeyResultSchema,
  exposureRecordId,
  notifies,
  readRecord,
  saveRecord,
  type ExposedKeyResult,
  type ExposureRecord,
  type ExposureReport,
} from '../shared/exposure';
import { exposureEventRefSchema } from '../shared/health-event';
import { maskAccessKeyId, redactAccessKeyIds } from '../shared/masking';
import { layout, runPrefix } from '../shared/report-layout';
import { EXPOSURE_OWNER_EMAIL_RESERVE_MS } from '../shared/retry-budget';
import { consoleLinkOf, executionAccount, parseEvent } from '../shared/run';
import { putJson, putText } from '../shared/s3-json';
import { sendEmail } from '../shared/send-email';
import { renderExposureAdminEmail, renderExposureOwnerEmail } from './render-exposure-emails';

export const notifyExposureEventSchema = z.object({
  event: exposureEventRefSchema,
  execution: z.object({ id: z.string().min(1), name: z.string().min(1), startTime: z.string() }),
  keys: z.array(exposedKeyResultSchema),
});

export interface NotifyExposureDeps {
  s3: S3Client;
  ses: SESClient;
  bucket: string;
  config: KeysweepConfig;
  version: string;
  clock: () => Date;
}

export interface NotifyExposureResult {
  outcome: ExposureReport['outcome'];
  cause: string;
  reportKey: string;
  counts: Record<ExposedKeyResult['result'], number>;
}

export class EmailNotSentError extends Error {
  override name = 'EmailNotSent';
}

/** The results an owner is told about: keys of a known user that exist (or existed) as theirs. */
const TOLD_TO_OWNER = new Set<ExposedKeyResult['result']>(['deactivated', 'already-inactive', 'reported']);

const RECORD_CONCURRENCY = 10;

function countsOf(keys: readonly ExposedKeyResult[]): NotifyExposureResult['counts'] {
  const counts = {
    deactivated: 0,
    'already-inactive': 0,
    gone: 0,
    reported: 0,
    'not-a-user-key': 0,
    repeat: 0,
    elsewhere: 0,
    failed: 0,
  };
  for (const key of keys) counts[key.result]++;
  return counts;
}

/** Where an owner's email is stored: by user in this account, by account and user in another. */
const ownerFile = (key: ExposedKeyResult, hub: string | null) =>
  key.accountId === hub ? (key.userName ?? '') : `${key.accountId}/${key.userName ?? ''}`;

async function storeEmail(deps: NotifyExposureDeps, html: string, text: string, email: RenderedEmail) {
  await Promise.all([
    putText(deps.s3, deps.bucket, html, email.html, 'text/html; charset=utf-8'),
    putText(deps.s3, deps.bucket, text, email.text, 'text/plain; charset=utf-8'),
  ]);
}

const prefixDay = (prefix: string) => prefix.split('/')[1] ?? '';

export async function notifyExposure(
  raw: unknown,
  deps: NotifyExposureDeps,
  remainingMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<NotifyExposureResult> {
  const { event, execution, keys } = parseEvent(notifyExposureEventSchema, raw, 'notify-exposure');
  const hub = executionAccount(execution.id)?.accountId ?? null;
  const prefix = runPrefix(execution.startTime, execution.name);
  const reportKey = layout.exposure(prefix);
  const idOf = (k: ExposedKeyResult) => exposureRecordId(k.accountId, k.accessKeyId, event.eventArn);
  const told = keys.filter(notifies);
  // This execution's records of the keys it tells about (what an earlier attempt of this step sent).
  // A failed key may have none (its step failed before claiming it): its record is left as it is,
  // failed or, after a crash, a claim that turns stale, so the next delivery of the event tries again.
  const records = new Map<ExposedKeyResult, ExposureRecord | null>();
  const recorded = told.filter((k) => k.result !== 'failed');
  await mapWithConcurrency(recorded, RECORD_CONCURRENCY, async (k) => {
    const record = await readRecord(deps.s3, deps.bucket, idOf(k));
    records.set(k, record?.claimedBy.name === execution.name ? record : null);
  });

  const failed = keys.filter((k) => k.result === 'failed');
  const outcome = failed.length > 0 ? 'keys-failed' : 'ok';
  const report: ExposureReport = {
    kind: 'exposure',
    keysweepVersion: deps.version,
    executionId: execution.id,
    executionName: execution.name,
    consoleUrl: consoleLinkOf(execution.id).url,
    hubAccountId: hub,
    startedAt: execution.startTime,
    finishedAt: deps.clock().toISOString(),
    event: {
      id: event.id,
      eventArn: event.eventArn,
      time: event.time,
      account: event.account,
      affectedAccount: event.affectedAccount,
    },
    exposedKeys: deps.config.exposedKeys,
    outcome,
    cause:
      failed.length === 0
        ? ''
        : redactAccessKeyIds(
            `${failed.length} of ${keys.length} exposed keys could not be handled and may still be active: ${failed
              .map((k) => `${maskAccessKeyId(k.accessKeyId)} (${k.error ?? 'unknown error'})`)
              .join('; ')}`,
          ),
    keys: keys.map((k) => ({ ...k, maskedAccessKeyId: maskAccessKeyId(k.accessKeyId) })),
    notifications: {
      admins: told.length === 0 ? 'none needed: nothing new in this event' : 'pending',
      owners: [],
    },
  };
  // The audit record first, so nothing that follows can lose it; then the marker by which the next
  // daily run finds it (a failure between the two fails the step, and its retry writes both).
  await putJson(deps.s3, deps.bucket, reportKey, report);
  await putJson(deps.s3, deps.bucket, layout.exposureRunMarker(prefixDay(prefix), execution.name), {
    reportKey,
  });

  const owners = told.filter((k) => TOLD_TO_OWNER.has(k.result) && k.userName !== null);
  for (const key of owners) {
    const record = records.get(key);
    const status = () => {
      if (record?.notified?.owner === 'sent') return 'sent';
      if (key.ownerEmail === null) return `not emailed: no address in tag ${deps.config.ownerEmailTag}`;
      if (deps.config.sesSandbox)
        return 'not emailed: SES is in the sandbox (sesSandbox), where owners cannot be reached';
      return 'to be emailed right after this email';
    };
    report.notifications.owners.push({
      accountId: key.accountId,
      userName: key.userName ?? '',
      status: status(),
    });
  }

  if (told.length > 0) {
    const adminEmail = renderExposureAdminEmail(report, `s3://${deps.bucket}/${reportKey}`);
    await storeEmail(deps, layout.emailHtml(prefix), layout.emailText(prefix), adminEmail);
    const alreadySent = told.every((k) => records.get(k)?.notified?.admins === true);
    if (!alreadySent) {
      try {
        await sendEmail(deps.ses, {
          from: deps.config.senderEmail,
          to: deps.config.adminEmails,
          configurationSet: deps.config.sesConfigurationSet,
          ...adminEmail,
        });
      } catch (error) {
        const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new EmailNotSentError(
          redactAccessKeyIds(
            `The exposure email to the admins could not be sent (${why}); the record is stored at s3://${deps.bucket}/${reportKey}`,
          ),
        );
      }
    }
    report.notifications.admins = alreadySent ? 'sent by an earlier attempt of this step' : 'sent';
  }

  const context = { adminEmails: deps.config.adminEmails, version: deps.version, eventTime: event.time };
  for (const [i, key] of owners.entries()) {
    const line = report.notifications.owners[i];
    if (!line || line.status !== 'to be emailed right after this email') continue;
    if (remainingMs() < EXPOSURE_OWNER_EMAIL_RESERVE_MS) {
      line.status = 'not emailed: out of time in this run; tell them yourself';
      continue;
    }
    const email = renderExposureOwnerEmail(key, context);
    const name = ownerFile(key, hub);
    await storeEmail(deps, layout.ownerEmailHtml(prefix, name), layout.ownerEmailText(prefix, name), email);
    try {
      await sendEmail(deps.ses, {
        from: deps.config.senderEmail,
        to: [key.ownerEmail ?? ''],
        configurationSet: deps.config.sesConfigurationSet,
        ...email,
      });
      line.status = 'sent';
    } catch (error) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      line.status = redactAccessKeyIds(`not emailed: sending failed (${why}); tell them yourself`);
    }
  }

  const now = deps.clock().toISOString();
  await mapWithConcurrency(recorded, RECORD_CONCURRENCY, async (key) => {
    const record = records.get(key);
    if (!record) return; // not this execution's (it did not claim it): nothing to mark
    const owner = report.notifications.owners.find(
      (o) => o.accountId === key.accountId && o.userName === key.userName,
    );
    await saveRecord(deps.s3, deps.bucket, {
      ...record,
      status: 'notified',
      result: record.result ?? key,
      notified: { admins: report.notifications.admins !== 'pending', owner: owner?.status ?? null },
      updatedAt: now,
    });
  });
  report.finishedAt = deps.clock().toISOString();
  await putJson(deps.s3, deps.bucket, reportKey, report);
  return { outcome, cause: report.cause, reportKey, counts: countsOf(keys) };
}
