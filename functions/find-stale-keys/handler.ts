import { accountIamFor, iam, s3 } from '../shared/clients';
import { getConfigFromEnv, getRequiredEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { addCounts, logger } from '../shared/observability';
import { retryOptionsFromEnv, withinInvocation } from '../shared/retry';
import { findStaleKeys, type FindStaleKeysDeps } from './find-stale-keys';

export const createHandler = (deps: FindStaleKeysDeps) =>
  lambdaHandler('find-stale-keys', async (event: unknown, context) => {
    const retry = withinInvocation(deps.retry, 'find-stale-keys', context);
    const summary = await findStaleKeys(event, { ...deps, retry });
    logger.info('Batch examined', { ...summary });
    addCounts({ UsersRead: summary.usersRead, KeysExamined: summary.keysSeen });
    return summary;
  });

const config = getConfigFromEnv();
const accountIam = accountIamFor(config);

export const handler = createHandler({
  iam,
  ...(accountIam ? { accountIam } : {}),
  s3,
  bucket: getRequiredEnv('REPORT_BUCKET'),
  config,
  retry: retryOptionsFromEnv(),
});
