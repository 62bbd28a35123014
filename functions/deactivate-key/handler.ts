import { accountIamFor, iam } from '../shared/clients';
import { getConfigFromEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { maskAccessKeyId } from '../shared/masking';
import { addCounts, logger } from '../shared/observability';
import { retryOptionsFromEnv, withinInvocation } from '../shared/retry';
import { deactivateKey, type DeactivateKeyDeps } from './deactivate-key';

export const createHandler = (deps: DeactivateKeyDeps) =>
  lambdaHandler('deactivate-key', async (event: unknown, context) => {
    const retry = withinInvocation(deps.retry, 'deactivate-key', context);
    const result = await deactivateKey(event, { ...deps, retry });
    logger.info('Key handled', {
      userName: result.userName,
      accessKeyId: maskAccessKeyId(result.accessKeyId),
      action: result.action,
      result: result.result,
      detail: result.detail,
    });
    const metric = {
      done: 'KeyActionsDone',
      skipped: 'KeyActionsSkipped',
      'dry-run': 'KeyActionsDryRun',
      failed: 'KeyActionsFailed',
    };
    addCounts({ [metric[result.result]]: 1 });
    return result;
  });

const config = getConfigFromEnv();
const accountIam = accountIamFor(config);

export const handler = createHandler({
  iam,
  ...(accountIam ? { accountIam } : {}),
  config,
  retry: retryOptionsFromEnv(),
});
