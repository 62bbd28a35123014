/** Organizations, account files and configurations for the organization workflow tests. */
import { parseConfig, type KeysweepConfig } from '../../functions/shared/config';
import type { AccountUser, OrganizationAccount, OrganizationFile } from '../../local/simulated-account';
import { NOW } from './sweep-fixtures';

export const HUB = '123456789012';
export const MANAGEMENT = '999999999999';

export function orgAccount(
  accountId: string,
  users: AccountUser[],
  extra: Partial<OrganizationAccount> = {},
): OrganizationAccount {
  return {
    accountId,
    name: `account-${accountId.slice(0, 3)}`,
    organizationalUnit: 'Root/Workloads',
    status: 'ACTIVE',
    memberRole: 'deployed',
    tags: {},
    users,
    ...extra,
  };
}

export function organization(
  accounts: OrganizationAccount[],
  extra: Partial<OrganizationFile['organization']> = {},
): OrganizationFile {
  return {
    now: NOW.toISOString(),
    ses: { verifiedIdentities: ['example.com'], sandbox: false },
    // The hub is an account of the organization (else the trust policies' aws:PrincipalOrgID refuses it).
    organization: {
      managementAccountId: MANAGEMENT,
      accounts: [orgAccount(HUB, [], { name: 'security', organizationalUnit: 'Root/Security' }), ...accounts],
      serviceControlPolicies: [],
      ...extra,
    },
  };
}

/** The organization settings on, over the sweep's test settings. */
export function orgConfig(
  organizationOverrides: Record<string, unknown> = {},
  overrides: Record<string, unknown> = {},
): KeysweepConfig {
  return parseConfig(
    {
      adminEmails: ['security-admins@example.com'],
      senderEmail: 'keysweep@example.com',
      fullScanOn: 'ALWAYS',
      ...overrides,
      organization: {
        enabled: true,
        organizationId: 'o-keysweep00',
        hubAccountId: HUB,
        managementAccountId: MANAGEMENT,
        rootId: 'r-ab12',
        ...organizationOverrides,
      },
    },
    'test',
  );
}

/** An SCP that denies deactivating keys. */
export const DENY_UPDATE_ACCESS_KEY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 'iam:UpdateAccessKey', Resource: '*' }],
};
