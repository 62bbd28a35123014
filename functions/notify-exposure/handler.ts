import { s3, ses } from '../shared/clients';
import { getConfigFromEnv, getRequiredEnv, getVersionFromEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { logger } from '../shared/observability';
import { notifyExposure, type NotifyExposureDeps } from './notify-exposure';

export const createHandler = (deps: NotifyExposureDeps) =>
  lambdaHandler('notify-exposure', async (event: unknown, context) => {
    const result = await notifyExposure(event, deps, () => context.getRemainingTimeInMillis());
    logger.info('Exposure reported', {
      outcome: result.outcome,
      reportKey: result.reportKey,
      counts: result.counts,
    });
    return result;
  });

export const handler = createHandler({
  s3,
  ses,
  bucket: getRequiredEnv('REPORT_BUCKET'),
  config: getConfigFromEnv(),
  version: getVersionFromEnv(),
  clock: () => new Date(),
});
