import { s3 } from '../shared/clients';
import { getConfigFromEnv, getRequiredEnv } from '../shared/env';
import { lambdaHandler } from '../shared/lambda-handler';
import { addCounts, logger } from '../shared/observability';
import { checkOrganizationLimit, type CheckOrganizationLimitDeps } from './check-organization-limit';

export const createHandler = (deps: CheckOrganizationLimitDeps) =>
  lambdaHandler('check-organization-limit', async (event: unknown) => {
    const result = await checkOrganizationLimit(event, deps);
    logger.info(
      result.decision.limitExceeded
        ? "Organization's action limit exceeded: no account will change anything"
        : "Plan within the organization's action limit",
      { ...result.decision },
    );
    addCounts({
      OrganizationPlannedActions: result.decision.plannedActions,
      OrganizationActionLimitExceeded: result.decision.limitExceeded ? 1 : 0,
    });
    return result;
  });

export const handler = createHandler({
  s3,
  bucket: getRequiredEnv('REPORT_BUCKET'),
  organization: getConfigFromEnv().organization,
});
