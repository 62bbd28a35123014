/**
 * First state of an organization run: checks the execution input, lists the accounts to sweep
 * (Organizations through the org reader role, or the configured list), applies the filters and
 * overrides, reads each swept account's admins tag, writes the accounts to the report bucket in
 * batches and returns only small batch descriptors.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import type { AccountListing } from '../shared/account-files';
import type { KeysweepConfig } from '../shared/config';
import { writeAccountBatches } from '../shared/account-batches';
import { mapWithConcurrency } from '../shared/concurrency';
import {
  assumeRole,
  orgReaderRoleArn,
  partitionOf,
  roleSessionName,
  type OrganizationRun,
  type SessionCredentials,
} from '../shared/organization';
import { layout, runPrefix } from '../shared/report-layout';
import type { RetryOptions } from '../shared/retry';
import { parseEvent } from '../shared/run';
import { putJson } from '../shared/s3-json';
import { parseExecutionInput } from '../list-users/execution-input';
import { readAccountTags, readOrganization } from './read-organization';
import { accountItemOf, addressesIn, selectAccounts, type OrganizationAccount } from './select-accounts';

export const listAccountsEventSchema = z.object({
  input: z.unknown(),
  execution: z.object({
    id: z.string().min(1),
    name: z.string().min(1),
    startTime: z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be a date-time' }),
  }),
});

export interface ListAccountsDeps {
  sts: STSClient;
  /** an Organizations client signing with the org reader role's session */
  organizationsWith: (credentials: SessionCredentials) => OrganizationsClient;
  s3: S3Client;
  bucket: string;
  config: KeysweepConfig;
  version: string;
  retry: RetryOptions;
}

/** Tag reads (ListTagsForResource) at once: Organizations allows few requests a second. */
export const TAG_READ_CONCURRENCY = 4;

export async function listAccounts(event: unknown, deps: ListAccountsDeps): Promise<AccountListing> {
  const { input, execution } = parseEvent(listAccountsEventSchema, event, 'list-accounts');
  const org = deps.config.organization;
  if (!org.enabled || org.managementAccountId === null || org.organizationId === null) {
    throw new Error('list-accounts runs only with organization.enabled and its IDs set');
  }
  const request = parseExecutionInput(input, deps.config.mode);
  const startedAt = new Date(execution.startTime).toISOString();
  const organization: OrganizationRun = {
    executionId: execution.id,
    executionName: execution.name,
    startedAt,
    prefix: runPrefix(startedAt, execution.name),
    version: deps.version,
    fullScan: request.fullScan,
  };

  let accounts: OrganizationAccount[];
  let client: OrganizationsClient | undefined;
  if (org.accounts === 'ALL') {
    const credentials = await assumeRole(
      deps.sts,
      orgReaderRoleArn(org.managementAccountId, partitionOf(execution.id)),
      org.managementAccountId,
      roleSessionName('list-accounts', execution.name),
    );
    client = deps.organizationsWith(credentials);
    accounts = await readOrganization(client, org.organizationId, deps.retry);
  } else {
    // Listed by ID (no Organizations access): status, OU and tags are not known.
    accounts = org.accounts.map((accountId) => ({
      accountId,
      name: accountId,
      status: 'ACTIVE',
      ouPath: 'Root',
      ouIds: [],
      tags: {},
    }));
  }
  const selection = selectAccounts(
    accounts,
    org.accounts === 'ALL' ? org : { ...org, organizationalUnits: [] },
    deps.config.mode,
    request,
    organization.prefix,
  );
  const adminsTag = org.adminsTag;
  if (client && adminsTag !== null) {
    const reader = client;
    await mapWithConcurrency(selection.targets, TAG_READ_CONCURRENCY, async (target) => {
      target.adminEmails = addressesIn(
        (await readAccountTags(reader, target.accountId, deps.retry))[adminsTag],
      );
    });
  }

  const items = selection.targets.map((target) => accountItemOf(target, organization));
  const batches = await writeAccountBatches(deps.s3, deps.bucket, items, {
    accounts: (index) => layout.accountsOfBatch(organization.prefix, index),
    results: (index) => layout.plansOfBatch(organization.prefix, index),
  });
  await putJson(deps.s3, deps.bucket, layout.skippedAccounts(organization.prefix), selection.skipped);
  return {
    organization,
    batches,
    accounts: {
      swept: items.length,
      skipped: selection.skipped.length,
      source: org.accounts === 'ALL' ? 'organizations' : 'configured-list',
    },
  };
}
