import { s3, ses } from '../shared/clients';
import { getConfigFromEnv, getRequiredEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { addCounts, logger } from '../shared/observability';
import { sendOrganizationReport, type SendOrganizationReportDeps } from './send-organization-report';

export const createHandler = (deps: SendOrganizationReportDeps) =>
  lambdaHandler('send-organization-report', async (event: unknown) => {
    const result = await sendOrganizationReport(event, deps);
    logger.info('Organization report sent', { outcome: result.outcome, reportKey: result.reportKey });
    addCounts({
      AccountsSwept: result.counts.accountsSwept,
      AccountsUnreachable: result.counts.unreachable,
      AccountsFailed: result.counts.failed + result.counts.notRun,
    });
    return result;
  });

export const handler = createHandler({
  s3,
  ses,
  bucket: getRequiredEnv('REPORT_BUCKET'),
  config: getConfigFromEnv(),
  clock: () => new Date(),
});
