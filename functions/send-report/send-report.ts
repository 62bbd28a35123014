/**
 * Last state of a run: assembles the full report from the report bucket, stores report.json and
 * the rendered email under the run's prefix, then emails the admins. The report is stored before
 * the email is sent, so a run whose email fails still leaves its audit record.
 */
import { z } from 'zod';
import {
  decisionsFileSchema,
  planSchema,
  resultsFileSchema,
  type DecisionsFile,
  type KeyResult,
} from '../shared/batch-files';
import { mapWithConcurrency } from '../shared/concurrency';
import {
  markExposedKeys,
  readKeyIndex,
  updateKeyIndex,
  type IndexUpdate,
  type KeyIndex,
} from '../shared/key-index';
import { redactAccessKeyIds } from '../shared/masking';
import { layout } from '../shared/report-layout';
import { organizationLimitSchema } from '../shared/organization';
import { parseEvent, runClock, runSchema } from '../shared/run';
import { getJsonIfExists, putJson } from '../shared/s3-json';
import { sendEmail } from '../shared/send-email';
import { buildReport, resultKey } from './build-report';
import { readExposuresSince, type ExposureListing } from './exposures-since';
import { notifyOwners, type NotifyOwnersDeps } from './notify-owners';
import { renderAdminEmail } from './render-admin-email';
import { storeEmail } from './store-email';
import type { Outcome, Report } from './report-model';

export const sendReportEventSchema = z.object({
  run: runSchema,
  plan: planSchema.optional(),
  sweepError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  /** an organization's act execution: the organization breaker's verdict */
  organizationLimit: organizationLimitSchema.optional(),
});

/** Batch files read from the report bucket at once. */
export const READ_CONCURRENCY = 10;

export interface SendReportDeps extends Omit<NotifyOwnersDeps, 'remainingMs'> {
  clock: () => Date;
}

export interface SendReportResult {
  outcome: Outcome;
  cause: string;
  reportKey: string;
  counts: Report['counts'];
  /** keys actually changed */
  done: { deactivate: number; delete: number };
  usersRead: number;
  durationSeconds: number;
}

export class EmailNotSentError extends Error {
  override name = 'EmailNotSent';
}

/**
 * Keeps state/key-index.json (per account in an organization) current for the next run's use of the
 * credential report, with the keys the exposure path deactivated since the last run marked as
 * keysweep's, and what was listed of them.
 */
async function saveKeyIndex(
  deps: SendReportDeps,
  index: { key: string; previous: KeyIndex | null },
  decisions: readonly DecisionsFile[],
  results: ReadonlyMap<string, KeyResult>,
  update: Omit<IndexUpdate, 'updatedAt'>,
  exposed: { report: Report; listing: ExposureListing | undefined },
): Promise<void> {
  const swept = updateKeyIndex(index.previous, decisions, results, resultKey, {
    ...update,
    updatedAt: deps.clock(),
  });
  const next = markExposedKeys(swept, exposed.report.exposures?.entries ?? [], {
    accountId: exposed.report.accountId,
    startedAt: update.runStartedAt,
    usersRead: new Set(decisions.flatMap((file) => file.keys.map((key) => key.userName))),
  });
  if (exposed.listing) next.exposures = exposed.listing;
  await putJson(deps.s3, deps.bucket, index.key, next);
}

export async function sendReport(
  event: unknown,
  deps: SendReportDeps,
  remainingMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<SendReportResult> {
  const { run, plan, sweepError, organizationLimit } = parseEvent(
    sendReportEventSchema,
    event,
    'send-report',
  );
  const indexes = Array.from({ length: run.batchCount }, (_, i) => i);
  const decisions = (
    await mapWithConcurrency(indexes, READ_CONCURRENCY, async (index) => {
      const raw = await getJsonIfExists(deps.s3, deps.bucket, layout.decisionsOfBatch(run.prefix, index));
      if (raw === undefined && sweepError === undefined) {
        throw new Error(`The decisions of batch ${index} are missing from s3://${deps.bucket}/${run.prefix}`);
      }
      return raw === undefined ? null : decisionsFileSchema.parse(raw);
    })
  ).filter((file): file is DecisionsFile => file !== null);

  const results = new Map<string, KeyResult>();
  if (plan && !plan.limitExceeded && !organizationLimit?.limitExceeded && run.mode === 'enforce') {
    const files = await mapWithConcurrency(plan.batches, READ_CONCURRENCY, async (batch) => {
      const raw = await getJsonIfExists(deps.s3, deps.bucket, batch.resultsKey);
      return raw === undefined ? [] : resultsFileSchema.parse(raw);
    });
    for (const result of files.flat()) results.set(resultKey(result.userName, result.accessKeyId), result);
  }

  // The organization breaker holds every account as its own breaker would: nothing is changed.
  const held = organizationLimit?.limitExceeded === true && plan !== undefined;
  const indexKey = layout.keyIndex(run.account?.accountId);
  const previousIndex = await readKeyIndex(deps.s3, deps.bucket, indexKey);
  const previous = typeof previousIndex === 'string' ? null : previousIndex;
  // Listed as of the run's start, the clock the whole run judges by; in an organization, this account's.
  const { exposures, listing } = await readExposuresSince(deps.s3, deps.bucket, previous, runClock(run), {
    accountId: run.account?.accountId ?? null,
  });

  const report = buildReport({
    run,
    plan: held ? { ...plan, limitExceeded: true } : (plan ?? null),
    decisions,
    results,
    sweepError: sweepError ?? null,
    config: deps.config,
    finishedAt: deps.clock(),
    organizationLimit: organizationLimit ?? null,
  });
  report.exposures = exposures;
  // The audit record first, so nothing that follows (owner emails, the admin email) can lose it.
  const reportKey = layout.report(run.prefix);
  await putJson(deps.s3, deps.bucket, reportKey, report);
  await saveKeyIndex(
    deps,
    { key: indexKey, previous },
    decisions,
    results,
    {
      runStartedAt: run.startedAt,
      completeScan: run.discovery.source === 'full-scan' && sweepError === undefined,
    },
    { report, listing },
  );
  report.ownerNotifications = await notifyOwners(report, run.prefix, { ...deps, remainingMs });
  const email = renderAdminEmail(report, `s3://${deps.bucket}/${reportKey}`);
  await putJson(deps.s3, deps.bucket, reportKey, report);
  await storeEmail(
    deps.s3,
    deps.bucket,
    { html: layout.emailHtml(run.prefix), text: layout.emailText(run.prefix) },
    email,
  );

  if (run.account) {
    // What the organization summary needs of this account, small whatever the account's size.
    await putJson(deps.s3, deps.bucket, layout.accountSummary(run.prefix), {
      accountId: run.account.accountId,
      outcome: report.outcome,
      cause: report.cause,
      reportKey,
      counts: report.counts,
      ownersEmailed: report.ownerNotifications.sent.length,
    });
  }
  // A single account's admins get every run's email; an organization's accounts only theirs (the
  // adminsTag of the account), the organization's admins the organization summary.
  const recipients = run.account ? run.account.adminEmails : deps.config.adminEmails;
  try {
    if (recipients.length > 0) {
      await sendEmail(deps.ses, {
        from: deps.config.senderEmail,
        to: recipients,
        configurationSet: deps.config.sesConfigurationSet,
        ...email,
      });
    }
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new EmailNotSentError(
      redactAccessKeyIds(
        `The summary email could not be sent (${why}); the report is stored at s3://${deps.bucket}/${reportKey}`,
      ),
    );
  }
  const doneCount = (action: 'deactivate' | 'delete') =>
    report.entries.filter((e) => e.action === action && e.result === 'done').length;
  return {
    outcome: report.outcome,
    cause: report.cause,
    reportKey,
    counts: report.counts,
    done: { deactivate: doneCount('deactivate'), delete: doneCount('delete') },
    usersRead: report.usersRead,
    durationSeconds: Math.max(0, (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000),
  };
}
