/** AWS Health events, organizations and helpers for the exposure path's workflow tests. */
import { parseConfig, type KeysweepConfig } from '../../functions/shared/config';
import { bucketObjectsOf } from '../../local/run-workflow';
import type { ExposureRun } from '../../local/run-exposure';
import {
  parseOrganizationFile,
  type OrganizationFile,
} from '../../local/simulated-account/organization-file';
import type { AccountUser } from '../../local/simulated-account';
import { NOW } from './sweep-fixtures';

export const HUB = '123456789012';
export const MANAGEMENT = '999999999999';
export const PROD = '222222222222';
export const NO_ROLE = '666666666666';
export const ORGANIZATION_ID = 'o-keysweep00';

export const EVENT_ARN =
  'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/AWS_RISK_CREDENTIALS_EXPOSED_TEST_1';

/** An AWS Health AWS_RISK_CREDENTIALS_EXPOSED event for these keys, as AWS Health sends it. */
export function exposureEvent(
  keys: string[],
  options: { eventArn?: string; account?: string; affectedAccount?: string | null; time?: string } = {},
): Record<string, unknown> {
  const account = options.account ?? HUB;
  const affected = options.affectedAccount === undefined ? account : options.affectedAccount;
  return {
    version: '0',
    id: `event-${keys.join('-').slice(-8)}`,
    'detail-type': 'AWS Health Event',
    source: 'aws.health',
    account,
    time: options.time ?? new Date(NOW.getTime() - 60_000).toISOString().replace('.000', ''),
    region: 'us-east-1',
    resources: [],
    detail: {
      eventArn: options.eventArn ?? EVENT_ARN,
      service: 'RISK',
      eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
      eventTypeCategory: 'issue',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
      communicationId: 'c0ffee-1',
      statusCode: 'open',
      eventRegion: 'global',
      affectedEntities: keys.map((entityValue) => ({ entityValue })),
      page: '1',
      totalPages: '1',
      backupEvent: 'false',
      ...(affected === null ? {} : { affectedAccount: affected }),
    },
  };
}

export function exposureConfig(overrides: Record<string, unknown> = {}): KeysweepConfig {
  return parseConfig(
    { adminEmails: ['security-admins@example.com'], senderEmail: 'keysweep@example.com', ...overrides },
    'test',
  );
}

/** The configuration of a hub of the organization below. */
export function organizationConfig(overrides: Record<string, unknown> = {}): KeysweepConfig {
  return exposureConfig({
    organization: {
      enabled: true,
      organizationId: ORGANIZATION_ID,
      hubAccountId: HUB,
      managementAccountId: MANAGEMENT,
      rootId: 'r-ab12',
    },
    ...overrides,
  });
}

/** An organization: the hub (users of its own), prod, and an account without the member role. */
export function organization(prodUsers: AccountUser[], hubUsers: AccountUser[] = []): OrganizationFile {
  return parseOrganizationFile(
    {
      now: NOW.toISOString(),
      organization: {
        managementAccountId: MANAGEMENT,
        accounts: [
          { accountId: HUB, name: 'security', organizationalUnit: 'Root/Security', users: hubUsers },
          { accountId: PROD, name: 'prod', organizationalUnit: 'Root/Workloads/Prod', users: prodUsers },
          { accountId: NO_ROLE, name: 'no-role', memberRole: 'missing', users: [] },
        ],
        serviceControlPolicies: [],
      },
    },
    'test organization',
  );
}

/** The report bucket after a run, to start the next one with. */
export const bucketOf = (run: Pick<ExposureRun, 'account'>): Record<string, string> => bucketObjectsOf(run);

export const updateCalls = (run: ExposureRun) =>
  run.account.calls.filter(
    (c) => c.service === 'IAM' && c.operation === 'UpdateAccessKey' && c.outcome === 'ok',
  );
