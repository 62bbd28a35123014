/**
 * The organization's accounts, read through the org reader role: DescribeOrganization (the
 * organization must be the configured one), ListAccounts, and the OU tree from the root
 * (ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent) for each account's OU path,
 * then ListTagsForResource for the accounts swept (adminsTag). Every listing is read to its last
 * page: Organizations pages hold at most 20 items, "might return fewer results than the maximum
 * even when there are more results available", and "can occasionally return an empty set of
 * results even when there are more results available" (Organizations API reference, ListAccounts,
 * NextToken): only a missing NextToken ends a listing.
 */
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { withRetry, type RetryOptions } from '../shared/retry';
import type { OrganizationAccount } from './select-accounts';

async function allPages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    all.push(...page.items);
    token = page.next;
  } while (token !== undefined);
  return all;
}

export class WrongOrganizationError extends Error {
  override name = 'WrongOrganization';
}

export async function readOrganization(
  client: OrganizationsClient,
  organizationId: string,
  retry: RetryOptions,
): Promise<OrganizationAccount[]> {
  const send = <T>(call: () => Promise<T>) => withRetry(call, retry);
  const described = await send(() => client.send(new DescribeOrganizationCommand({})));
  if (described.Organization?.Id !== organizationId) {
    throw new WrongOrganizationError(
      `The org reader role answers for organization ${described.Organization?.Id ?? '?'}, not ${organizationId} (organization.organizationId)`,
    );
  }
  const accounts = await allPages(async (NextToken) => {
    const out = await send(() => client.send(new ListAccountsCommand({ MaxResults: 20, NextToken })));
    return { items: out.Accounts ?? [], next: out.NextToken };
  });
  const roots = await allPages(async (NextToken) => {
    const out = await send(() => client.send(new ListRootsCommand({ NextToken })));
    return { items: out.Roots ?? [], next: out.NextToken };
  });
  const placed = new Map<string, { ouPath: string; ouIds: string[] }>();
  const queue = roots.flatMap((root) =>
    root.Id ? [{ id: root.Id, path: 'Root', ouIds: [] as string[] }] : [],
  );
  for (let container = queue.shift(); container !== undefined; container = queue.shift()) {
    const { id, path, ouIds } = container;
    const ous = await allPages(async (NextToken) => {
      const out = await send(() =>
        client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: id, MaxResults: 20, NextToken })),
      );
      return { items: out.OrganizationalUnits ?? [], next: out.NextToken };
    });
    for (const ou of ous) {
      if (ou.Id) queue.push({ id: ou.Id, path: `${path}/${ou.Name ?? ou.Id}`, ouIds: [...ouIds, ou.Id] });
    }
    const children = await allPages(async (NextToken) => {
      const out = await send(() =>
        client.send(new ListAccountsForParentCommand({ ParentId: id, MaxResults: 20, NextToken })),
      );
      return { items: out.Accounts ?? [], next: out.NextToken };
    });
    for (const child of children) if (child.Id) placed.set(child.Id, { ouPath: path, ouIds });
  }
  return accounts.flatMap((a) =>
    a.Id
      ? [
          {
            accountId: a.Id,
            name: a.Name ?? a.Id,
            status: a.Status ?? 'ACTIVE',
            ouPath: placed.get(a.Id)?.ouPath ?? 'Root',
            ouIds: placed.get(a.Id)?.ouIds ?? [],
            tags: {},
          },
        ]
      : [],
  );
}

/** An account's tags (ListTagsForResource, to its last page). */
export async function readAccountTags(
  client: OrganizationsClient,
  accountId: string,
  retry: RetryOptions,
): Promise<Record<string, string>> {
  const tags = await allPages(async (NextToken) => {
    const out = await withRetry(
      () => client.send(new ListTagsForResourceCommand({ ResourceId: accountId, NextToken })),
      retry,
    );
    return { items: out.Tags ?? [], next: out.NextToken };
  });
  return Object.fromEntries(tags.flatMap((t) => (t.Key !== undefined ? [[t.Key, t.Value ?? '']] : [])));
}
