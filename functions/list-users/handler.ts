import { accountIamFor, iam, s3 } from '../shared/clients';
import { getConfigFromEnv, getRequiredEnv, getVersionFromEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { addCounts, logger } from '../shared/observability';
import { retryOptionsFromEnv, withinInvocation } from '../shared/retry';
import { REPORT_POLLING } from './credential-report';
import { listUsers, type ListUsersDeps } from './list-users';

export const createHandler = (deps: ListUsersDeps) =>
  lambdaHandler('list-users', async (event: unknown, context) => {
    const retry = withinInvocation(deps.retry, 'list-users', context);
    const result = await listUsers(event, { ...deps, retry });
    logger.info('Users listed', {
      mode: result.run.mode,
      discovery: result.run.discovery,
      batches: result.batches.length,
    });
    addCounts({
      UsersInAccount: result.run.discovery.usersInAccount,
      UsersToRead: result.run.discovery.usersToRead,
    });
    return result;
  });

const config = getConfigFromEnv();
const accountIam = accountIamFor(config);

export const handler = createHandler({
  iam,
  ...(accountIam ? { accountIam } : {}),
  s3,
  bucket: getRequiredEnv('REPORT_BUCKET'),
  config,
  version: getVersionFromEnv(),
  retry: retryOptionsFromEnv(),
  reportPolling: {
    ...REPORT_POLLING,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
});
