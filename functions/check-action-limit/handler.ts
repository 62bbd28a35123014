import type { KeysweepConfig } from '../shared/config';
import { getConfigFromEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { addCounts, logger } from '../shared/observability';
import { checkActionLimit } from './check-action-limit';

export const createHandler = (deps: { config: KeysweepConfig }) =>
  lambdaHandler('check-action-limit', async (event: unknown) => {
    const result = checkActionLimit(event, deps.config.maxActionsPerRun);
    const { batches, ...plan } = result.plan;
    logger.info(
      plan.limitExceeded ? 'Action limit exceeded: nothing will be changed' : 'Plan within the action limit',
      {
        ...plan,
        batchesWithActions: batches.length,
      },
    );
    addCounts({ PlannedActions: plan.plannedActions, ActionLimitExceeded: plan.limitExceeded ? 1 : 0 });
    return result;
  });

export const handler = createHandler({ config: getConfigFromEnv() });
