import { organizationsWithCredentials, s3, sts } from '../shared/clients';
import { getConfigFromEnv, getRequiredEnv, getVersionFromEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { addCounts, logger } from '../shared/observability';
import { retryOptionsFromEnv } from '../shared/retry';
import { listAccounts, type ListAccountsDeps } from './list-accounts';

export const createHandler = (deps: ListAccountsDeps) =>
  lambdaHandler('list-accounts', async (event: unknown) => {
    const result = await listAccounts(event, deps);
    logger.info('Accounts listed', { ...result.accounts, batches: result.batches.length });
    addCounts({ AccountsSwept: result.accounts.swept, AccountsSkipped: result.accounts.skipped });
    return result;
  });

export const handler = createHandler({
  sts,
  organizationsWith: organizationsWithCredentials,
  s3,
  bucket: getRequiredEnv('REPORT_BUCKET'),
  config: getConfigFromEnv(),
  version: getVersionFromEnv(),
  retry: retryOptionsFromEnv(),
});
