/**
 * Last state of an organization run: reads what each account's executions came to (one file per
 * batch of accounts, and the files of each account that failed), stores the organization report
 * and its email under the organization run's prefix, and emails the organization's admins once.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESClient } from '@aws-sdk/client-ses';
import { z } from 'zod';
import { accountBatchSchema, skippedAccountsFileSchema, type AccountRecord } from '../shared/account-files';
import type { KeysweepConfig } from '../shared/config';
import { mapWithConcurrency } from '../shared/concurrency';
import { redactAccessKeyIds } from '../shared/masking';
import { organizationLimitSchema, organizationRunSchema } from '../shared/organization';
import { layout } from '../shared/report-layout';
import { parseEvent } from '../shared/run';
import { getJsonIfExists, putJson, putText } from '../shared/s3-json';
import { sendEmail } from '../shared/send-email';
import { describeError } from '../send-report/build-report';
import { readRecords } from '../check-organization-limit/check-organization-limit';
import { buildOrganizationReport, type AccountFiles, type OrganizationReport } from './organization-report';
import { renderOrganizationEmail } from './render-organization-email';

const errorSchema = z.object({ Error: z.string().optional(), Cause: z.string().optional() });

export const sendOrganizationReportEventSchema = z.object({
  organization: organizationRunSchema,
  batches: z.array(accountBatchSchema),
  /** CheckOrganizationLimit's verdict (absent when the run stopped before it) */
  limit: z.object({ decision: organizationLimitSchema, actBatches: z.array(accountBatchSchema) }).optional(),
  sweepError: errorSchema.optional(),
});

export interface SendOrganizationReportDeps {
  s3: S3Client;
  ses: SESClient;
  bucket: string;
  config: KeysweepConfig;
  clock: () => Date;
}

export class EmailNotSentError extends Error {
  override name = 'EmailNotSent';
}

export interface SendOrganizationReportResult {
  outcome: OrganizationReport['outcome'];
  cause: string;
  reportKey: string;
  counts: OrganizationReport['totals'];
}

const unreachableSchema = z.object({ reason: z.string() });
const summarySchema = z.object({
  outcome: z.string(),
  cause: z.string(),
  reportKey: z.string(),
  counts: z.unknown(),
});

/** The files of each account whose execution failed: why it was unreachable, or its own summary. */
async function failedAccountFiles(
  deps: SendOrganizationReportDeps,
  records: readonly AccountRecord[],
): Promise<Map<string, AccountFiles>> {
  const failed = records.filter((r) => r.error !== undefined);
  const files = await mapWithConcurrency(failed, 10, async (record) => {
    const prefix = record.target.prefix;
    const found: AccountFiles = {};
    const summary = summarySchema.safeParse(
      await getJsonIfExists(deps.s3, deps.bucket, layout.accountSummary(prefix)),
    );
    if (summary.success) found.summary = summary.data;
    else {
      const unreachable = unreachableSchema.safeParse(
        await getJsonIfExists(deps.s3, deps.bucket, layout.unreachable(prefix)),
      );
      if (unreachable.success) found.unreachable = unreachable.data;
    }
    return [record.target.accountId, found] as const;
  });
  return new Map(files);
}

export async function sendOrganizationReport(
  event: unknown,
  deps: SendOrganizationReportDeps,
): Promise<SendOrganizationReportResult> {
  const { organization, batches, limit, sweepError } = parseEvent(
    sendOrganizationReportEventSchema,
    event,
    'send-organization-report',
  );
  const plans = await readRecords(deps.s3, deps.bucket, batches);
  const decision = limit?.decision;
  const acts = await readRecords(deps.s3, deps.bucket, limit?.actBatches ?? []);
  const acted = new Map(acts.map((r) => [r.target.accountId, r]));
  const files = await failedAccountFiles(deps, [...plans, ...acts]);
  const skipped = skippedAccountsFileSchema.parse(
    (await getJsonIfExists(deps.s3, deps.bucket, layout.skippedAccounts(organization.prefix))) ?? [],
  );
  const report = buildOrganizationReport({
    organization,
    organizationId: deps.config.organization.organizationId ?? '',
    plans,
    acted,
    files,
    skipped,
    decision: decision ?? null,
    sweepError: sweepError ? describeError(sweepError) : null,
    finishedAt: deps.clock(),
  });
  const reportKey = layout.report(organization.prefix);
  await putJson(deps.s3, deps.bucket, reportKey, report);
  const email = renderOrganizationEmail(report, `s3://${deps.bucket}/${reportKey}`);
  await putText(
    deps.s3,
    deps.bucket,
    layout.emailHtml(organization.prefix),
    email.html,
    'text/html; charset=utf-8',
  );
  await putText(
    deps.s3,
    deps.bucket,
    layout.emailText(organization.prefix),
    email.text,
    'text/plain; charset=utf-8',
  );
  try {
    await sendEmail(deps.ses, {
      from: deps.config.senderEmail,
      to: deps.config.adminEmails,
      configurationSet: deps.config.sesConfigurationSet,
      ...email,
    });
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new EmailNotSentError(
      redactAccessKeyIds(
        `The organization summary could not be sent (${why}); the report is stored at s3://${deps.bucket}/${reportKey}`,
      ),
    );
  }
  return { outcome: report.outcome, cause: report.cause, reportKey, counts: report.totals };
}
