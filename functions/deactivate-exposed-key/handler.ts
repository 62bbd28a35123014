import { narrowedMemberIam } from '../shared/account-iam';
import { iam, iamWithCredentials, s3, sts } from '../shared/clients';
import { getConfigFromEnv, getRequiredEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { maskAccessKeyId } from '../shared/masking';
import { addCounts, logger } from '../shared/observability';
import { retryOptionsFromEnv, withinInvocation } from '../shared/retry';
import { deactivateExposedKey, type DeactivateExposedKeyDeps } from './deactivate-exposed-key';

/** The session name the member role sees (CloudTrail records it with every call made there). */
const SESSION_NAME = 'keysweep-exposed-key';

export const createHandler = (deps: DeactivateExposedKeyDeps) =>
  lambdaHandler('deactivate-exposed-key', async (event: unknown, context) => {
    const retry = withinInvocation(deps.retry, 'deactivate-exposed-key', context);
    const result = await deactivateExposedKey(event, { ...deps, retry });
    logger.info('Exposed key handled', {
      accountId: result.accountId,
      userName: result.userName,
      accessKeyId: maskAccessKeyId(result.accessKeyId),
      result: result.result,
      detail: result.detail,
    });
    addCounts({
      [result.result === 'deactivated' ? 'ExposedKeysDeactivated' : 'ExposedKeysNotDeactivated']: 1,
    });
    return result;
  });

const config = getConfigFromEnv();

export const handler = createHandler({
  iam,
  s3,
  bucket: getRequiredEnv('REPORT_BUCKET'),
  config,
  retry: retryOptionsFromEnv(),
  memberIam: (accountId, partition, actions) =>
    narrowedMemberIam(
      sts,
      config.organization,
      iamWithCredentials,
      { accountId, partition },
      SESSION_NAME,
      actions,
    ),
  clock: () => new Date(),
});
