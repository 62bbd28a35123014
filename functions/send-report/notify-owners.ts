/**
 * Owner notifications (notifyOwners): one email per user whose keys were warned about,
 * deactivated or deleted (written from all of the user's keys), paced for SES (1 message/s in the sandbox) and within a time budget,
 * so they never hold up the admin summary. A failed owner email is reported, never fatal.
 * Sent addresses are recorded, so a retried send-report does not email anyone twice.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESClient } from '@aws-sdk/client-ses';
import { z } from 'zod';
import type { KeysweepConfig } from '../shared/config';
import { redactAccessKeyIds } from '../shared/masking';
import { layout } from '../shared/report-layout';
import { OWNER_EMAIL_RESERVE_MS } from '../shared/retry-budget';
import { getJsonIfExists, putJson } from '../shared/s3-json';
import { sendEmail } from '../shared/send-email';
import { notifiesOwner } from './owner-email-plan';
import { renderOwnerEmail } from './render-owner-email';
import { storeEmail } from './store-email';
import type { Report, ReportEntry } from './report-model';

export const ownerNotificationsSchema = z.object({
  enabled: z.boolean(),
  /** why nothing was sent although notifyOwners is on (report mode, action limit), or null */
  withheld: z.string().nullable(),
  sent: z.array(z.string()),
  failed: z.array(z.object({ userName: z.string(), error: z.string() })),
  noAddress: z.array(z.string()),
  notSent: z.array(z.object({ userName: z.string(), reason: z.string() })),
});
export type OwnerNotifications = z.infer<typeof ownerNotificationsSchema>;

export interface NotifyOwnersDeps {
  s3: S3Client;
  ses: SESClient;
  bucket: string;
  config: KeysweepConfig;
  /** pause between two owner emails, ms */
  intervalMs: number;
  sleep: (ms: number) => Promise<void>;
  /** time left in this invocation, ms */
  remainingMs: () => number;
}

/**
 * Owner emails stop when less time than this (plus the pause between two emails) is left: room
 * for one more owner email and everything after, the admin summary included (retry-budget.ts).
 */
export const RESERVED_MS = OWNER_EMAIL_RESERVE_MS;

export function disabledNotifications(withheld: string | null = null, enabled = false): OwnerNotifications {
  return { enabled, withheld, sent: [], failed: [], noAddress: [], notSent: [] };
}

/** Every entry of each user who has a key to be told about: the other keys decide the steps. */
function byOwner(entries: readonly ReportEntry[]): Map<string, ReportEntry[]> {
  const notified = new Set(entries.filter(notifiesOwner).map((e) => e.userName));
  const owners = new Map<string, ReportEntry[]>();
  for (const entry of entries) {
    if (notified.has(entry.userName))
      owners.set(entry.userName, [...(owners.get(entry.userName) ?? []), entry]);
  }
  return owners;
}

export async function notifyOwners(
  report: Report,
  prefix: string,
  deps: NotifyOwnersDeps,
): Promise<OwnerNotifications> {
  if (!deps.config.notifyOwners) return disabledNotifications();
  if (report.mode === 'report') return disabledNotifications('report mode: owners are not emailed', true);
  if (report.limitExceeded)
    return disabledNotifications('the action limit was exceeded: owners are not emailed', true);

  const recordKey = layout.ownerNotifications(prefix);
  const previous = ownerNotificationsSchema.safeParse(await getJsonIfExists(deps.s3, deps.bucket, recordKey));
  const alreadySent = new Set(previous.success ? previous.data.sent : []);
  const result = disabledNotifications(null, true);
  const context = {
    accountId: report.accountId,
    adminEmails: deps.config.adminEmails,
    runDay: report.startedAt.slice(0, 10),
    version: report.keysweepVersion,
    policy: report.policy,
  };
  let sentThisRun = 0;
  for (const [userName, entries] of byOwner(report.entries)) {
    const address = entries[0]?.ownerEmail ?? null;
    if (address === null) {
      result.noAddress.push(userName);
      continue;
    }
    if (alreadySent.has(userName)) {
      result.sent.push(userName);
      continue;
    }
    if (deps.remainingMs() < RESERVED_MS + deps.intervalMs) {
      result.notSent.push({
        userName,
        reason: 'out of time in this run (SES pacing); the next run warns again',
      });
      continue;
    }
    const email = renderOwnerEmail(userName, entries, context);
    await storeEmail(
      deps.s3,
      deps.bucket,
      { html: layout.ownerEmailHtml(prefix, userName), text: layout.ownerEmailText(prefix, userName) },
      email,
    );
    if (sentThisRun > 0) await deps.sleep(deps.intervalMs);
    try {
      await sendEmail(deps.ses, {
        from: deps.config.senderEmail,
        to: [address],
        configurationSet: deps.config.sesConfigurationSet,
        ...email,
      });
      result.sent.push(userName);
      sentThisRun++;
    } catch (error) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      result.failed.push({ userName, error: redactAccessKeyIds(why) });
    }
  }
  await putJson(deps.s3, deps.bucket, recordKey, result);
  return result;
}
