import { s3, ses } from '../shared/clients';
import { getConfigFromEnv, getRequiredEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { addCounts, logger, metrics } from '../shared/observability';
import { sendReport, type SendReportDeps } from './send-report';

export const createHandler = (deps: SendReportDeps) =>
  lambdaHandler('send-report', async (event: unknown, context) => {
    const result = await sendReport(event, deps, () => context.getRemainingTimeInMillis());
    logger.info('Report sent', {
      outcome: result.outcome,
      reportKey: result.reportKey,
      counts: result.counts,
    });
    const { byAction, byResult } = result.counts;
    addCounts({
      KeysWarned: byAction.warn,
      KeysDeactivated: result.done.deactivate,
      KeysDeleted: result.done.delete,
      KeysExempt: byAction.exempt,
      KeysFailed: byResult.failed,
      UsersScanned: result.usersRead,
    });
    metrics.addMetric('RunDuration', 'Seconds', result.durationSeconds);
    return result;
  });

export const handler = createHandler({
  s3,
  ses,
  bucket: getRequiredEnv('REPORT_BUCKET'),
  config: getConfigFromEnv(),
  clock: () => new Date(),
  // SES allows 1 message a second in the sandbox; production accounts may lower this.
  intervalMs: Number(process.env.KEYSWEEP_OWNER_EMAIL_INTERVAL_MS ?? '1000'),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});
