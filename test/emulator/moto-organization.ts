/**
 * An organization put into moto, for `npm run plan -- --org` over the wire: the organization made
 * from its management account (CreateOrganization), its OUs, member accounts (CreateAccount), their
 * tags, and each member's users and keys (moto-account.ts) made through a session in that account.
 *
 * What moto 5 does otherwise than AWS here (checked with a boto3 script before this was written):
 * - STS AssumeRole hands out a session for any role ARN, whether the role exists or not, and
 *   evaluates neither the caller's policies, the role's trust, a session policy nor an SCP: an
 *   account whose member role is missing, or refuses the caller, cannot be modelled (the simulated
 *   account covers it: test/workflow/plan-organization.test.ts).
 * - A session's calls are answered in the role's account, each account with its own IAM, as in AWS:
 *   that is what makes the cross-account reads testable here. The account need not exist.
 * - CreateAccount completes at once and picks the account's ID (AWS answers IN_PROGRESS and the
 *   caller polls DescribeCreateAccountStatus); so member IDs are known only after seeding.
 * - CreateOrganization from a session makes that session's account the management account.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TagResourceCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { SessionCredentials } from '../../functions/shared/organization';
import type { OrganizationAccount } from '../../local/simulated-account';

/** The role the test's own sessions name (moto does not check that it exists). */
const SEED_ROLE = 'keysweep-test-seed';

export interface MotoOrganization {
  organizationId: string;
  rootId: string;
  managementAccountId: string;
  /** each member as given, with the ID moto gave it */
  members: { spec: OrganizationAccount; accountId: string }[];
  /** an IAM client of the test signing as a session in `accountId` */
  iamIn(accountId: string): Promise<IAMClient>;
  destroy(): void;
}

export async function seedMotoOrganization(
  endpoint: string,
  region: string,
  spec: { managementAccountId: string; members: OrganizationAccount[] },
): Promise<MotoOrganization> {
  const sts = new STSClient({ endpoint, region });
  const clients: { destroy(): void }[] = [sts];
  const sessionIn = async (accountId: string): Promise<SessionCredentials> => {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/${SEED_ROLE}`,
        RoleSessionName: SEED_ROLE,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`moto gave no session in ${accountId}`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  };
  const organizations = new OrganizationsClient({
    endpoint,
    region,
    credentials: await sessionIn(spec.managementAccountId),
  });
  clients.push(organizations);
  const created = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const organizationId = created.Organization?.Id ?? '';
  const rootId = (await organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';

  // OU paths as the account file writes them ("Root/Workloads/Prod"), made one level at a time.
  const ouIds = new Map<string, string>([['Root', rootId]]);
  const ouOf = async (path: string): Promise<string> => {
    const known = ouIds.get(path);
    if (known !== undefined) return known;
    const parentPath = path.slice(0, path.lastIndexOf('/'));
    const name = path.slice(path.lastIndexOf('/') + 1);
    const ParentId = await ouOf(parentPath);
    const listed = await organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId }));
    const id =
      listed.OrganizationalUnits?.find((ou) => ou.Name === name)?.Id ??
      (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId, Name: name })))
        .OrganizationalUnit?.Id ??
      '';
    ouIds.set(path, id);
    return id;
  };

  const members: MotoOrganization['members'] = [];
  for (const member of spec.members) {
    const status = await organizations.send(
      new CreateAccountCommand({ Email: `${member.name}@example.com`, AccountName: member.name }),
    );
    const accountId = status.CreateAccountStatus?.AccountId ?? '';
    const ou = member.organizationalUnit;
    if (ou !== 'Root') {
      await organizations.send(
        new MoveAccountCommand({
          AccountId: accountId,
          SourceParentId: rootId,
          DestinationParentId: await ouOf(ou),
        }),
      );
    }
    const tags = Object.entries(member.tags).map(([Key, Value]) => ({ Key, Value }));
    if (tags.length > 0)
      await organizations.send(new TagResourceCommand({ ResourceId: accountId, Tags: tags }));
    members.push({ spec: member, accountId });
  }
  return {
    organizationId,
    rootId,
    managementAccountId: spec.managementAccountId,
    members,
    iamIn: async (accountId) => {
      const iam = new IAMClient({ endpoint, region, credentials: await sessionIn(accountId) });
      clients.push(iam);
      return iam;
    },
    destroy: () => {
      for (const client of clients) client.destroy();
    },
  };
}
