/**
 * Generates large, deterministic organization files for the benchmark and scale tests: the hub
 * and `accounts` member accounts of `usersPerAccount` users each (generate-account.ts, one seed per
 * account), spread over ten OUs under Root/Workloads, every member role deployed.
 */
import { generateAccount, type GenerateOptions } from './generate-account';
import type { OrganizationAccount, OrganizationFile } from './organization-file';

export const GENERATED_HUB_ACCOUNT_ID = '123456789012';
export const GENERATED_MANAGEMENT_ACCOUNT_ID = '999999999999';

export interface GenerateOrganizationOptions {
  accounts: number;
  usersPerAccount: number;
  now: Date;
  scenario: GenerateOptions['scenario'];
}

/** The n-th generated member account's ID (n from 0). */
export function generatedAccountId(n: number): string {
  return String(200_000_000_000 + n);
}

export function generateOrganization(options: GenerateOrganizationOptions): OrganizationFile {
  const { now, scenario, usersPerAccount } = options;
  const member = (
    accountId: string,
    name: string,
    organizationalUnit: string,
    seed: number,
  ): OrganizationAccount => ({
    accountId,
    name,
    organizationalUnit,
    status: 'ACTIVE',
    memberRole: 'deployed',
    tags: {},
    users: generateAccount({ users: usersPerAccount, now, scenario, seed }).users,
  });
  const accounts = [member(GENERATED_HUB_ACCOUNT_ID, 'security', 'Root/Security', 1)];
  for (let n = 0; n < options.accounts; n++) {
    accounts.push(member(generatedAccountId(n), `workload-${n}`, `Root/Workloads/Unit-${n % 10}`, n + 2));
  }
  return {
    now: now.toISOString(),
    ses: { verifiedIdentities: ['example.com'], sandbox: false },
    organization: {
      managementAccountId: GENERATED_MANAGEMENT_ACCOUNT_ID,
      accounts,
      serviceControlPolicies: [],
    },
  };
}
