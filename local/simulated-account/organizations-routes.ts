/**
 * The Organizations calls the simulated organization answers, each authorized on the resource the
 * Service Authorization Reference gives it (organization.ts, resourceOf). Who may call at all
 * (only a principal of the management account) is checked before (simulated-account.ts).
 */
import {
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-organizations';
import type { SimulatedOrganization } from './organization';
import { route, type Routes } from './routes';

export function organizationsRoutes(org: SimulatedOrganization): Routes {
  const routes: Routes = new Map();
  const on = (operation: string) => (input: object) => [
    {
      action: `organizations:${operation}`,
      resource: org.resourceOf(operation, input as Record<string, unknown>),
    },
  ];
  route(routes, DescribeOrganizationCommand, 'DescribeOrganization', on('DescribeOrganization'), () =>
    org.describeOrganization(),
  );
  route(routes, ListAccountsCommand, 'ListAccounts', on('ListAccounts'), (i) => org.listAccounts(i));
  route(routes, ListAccountsForParentCommand, 'ListAccountsForParent', on('ListAccountsForParent'), (i) =>
    org.listAccountsForParent(i),
  );
  route(routes, ListRootsCommand, 'ListRoots', on('ListRoots'), (i) => org.listRoots(i));
  route(
    routes,
    ListOrganizationalUnitsForParentCommand,
    'ListOrganizationalUnitsForParent',
    on('ListOrganizationalUnitsForParent'),
    (i) => org.listOrganizationalUnitsForParent(i),
  );
  route(routes, ListChildrenCommand, 'ListChildren', on('ListChildren'), (i) => org.listChildren(i));
  route(routes, ListParentsCommand, 'ListParents', on('ListParents'), (i) => org.listParents(i));
  route(
    routes,
    DescribeOrganizationalUnitCommand,
    'DescribeOrganizationalUnit',
    on('DescribeOrganizationalUnit'),
    (i) => org.describeOrganizationalUnit(i),
  );
  route(routes, ListTagsForResourceCommand, 'ListTagsForResource', on('ListTagsForResource'), (i) =>
    org.listTagsForResource(i),
  );
  return routes;
}
