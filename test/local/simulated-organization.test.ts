/**
 * An organization behind one simulator, with the deployment's real synthesized policies: STS
 * AssumeRole as AWS decides it (the caller's policy, the member role's trust with
 * aws:PrincipalOrgID, SCPs, roles that are not there, accounts that cannot be entered), calls made
 * with a session's credentials answered by that account's IAM only, authorized as the member role
 * under the account's SCPs, and Organizations answered only to the management account, with its
 * pagination.
 */
import {
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
  type Account,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { parseConfig, type KeysweepConfig } from '../../functions/shared/config';
import { SimulatedAccount } from '../../local/simulated-account';
import {
  parseOrganizationFile,
  type OrganizationFile,
} from '../../local/simulated-account/organization-file';
import type { AccessPolicies } from '../../local/simulated-account/permissions';
import { synthesizePolicies } from '../../local/synthesize-policies';

const NOW = new Date('2026-11-28T08:00:00Z');
const HUB = '123456789012';
const MANAGEMENT = '999999999999';
const PROD = '222222222222';
const DEV = '333333333333';
const LOCKED = '444444444444';
const SUSPENDED = '555555555555';
const NO_ROLE = '666666666666';

const key = (n: number) => `AKIA${String(n).padStart(16, '0')}`;
const user = (userName: string, n: number) => ({
  userName,
  accessKeys: [{ accessKeyId: key(n), status: 'Active' as const, createDate: '2026-01-01T00:00:00Z' }],
});

const ORG_FILE = parseOrganizationFile(
  {
    now: NOW.toISOString(),
    organization: {
      managementAccountId: MANAGEMENT,
      accounts: [
        {
          accountId: HUB,
          name: 'security',
          organizationalUnit: 'Root/Security',
          users: [user('hub-admin', 1)],
        },
        {
          accountId: PROD,
          name: 'prod',
          organizationalUnit: 'Root/Workloads/Prod',
          tags: { 'keysweep:admins': 'prod-admins@example.com' },
          users: [user('alice', 2), user('bob', 3)],
        },
        { accountId: DEV, name: 'dev', organizationalUnit: 'Root/Workloads/Dev', users: [user('carol', 4)] },
        { accountId: LOCKED, name: 'locked', organizationalUnit: 'Root/Locked', users: [user('dave', 5)] },
        { accountId: SUSPENDED, name: 'gone', status: 'SUSPENDED', users: [user('erin', 6)] },
        { accountId: NO_ROLE, name: 'no-role', memberRole: 'missing', users: [user('frank', 7)] },
        ...Array.from({ length: 30 }, (_, i) => ({
          accountId: String(700000000000 + i),
          name: `sandbox-${i}`,
          organizationalUnit: 'Root/Sandbox',
        })),
      ],
      serviceControlPolicies: [
        {
          target: 'Root/Locked',
          policy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'iam:UpdateAccessKey', Resource: '*' }],
          },
        },
      ],
    },
  },
  'test',
);

const CONFIG: KeysweepConfig = parseConfig(
  {
    adminEmails: ['security-admins@example.com'],
    senderEmail: 'keysweep@example.com',
    organization: {
      enabled: true,
      organizationId: 'o-keysweep00',
      hubAccountId: HUB,
      managementAccountId: MANAGEMENT,
      rootId: 'r-ab12',
    },
  },
  'test',
);

let policies: AccessPolicies;
beforeAll(() => {
  policies = synthesizePolicies(CONFIG); // the real templates: hub, member StackSet body, management stack
}, 60_000);

let account: SimulatedAccount;
let caller: string | undefined;
afterEach(() => account?.uninstall());

function start(file: OrganizationFile = ORG_FILE, withPolicies: AccessPolicies = policies): SimulatedAccount {
  caller = 'function:list-users';
  account = new SimulatedAccount(file, {
    now: NOW,
    authorization: { policies: withPolicies, caller: () => caller },
  }).install();
  return account;
}

const sts = new STSClient({ region: 'us-east-1' });
const memberRole = (accountId: string) => `arn:aws:iam::${accountId}:role/keysweep-member`;

async function assume(roleArn: string, session = 'keysweep-sweep') {
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('no credentials');
  return {
    out,
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    },
  };
}

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('STS AssumeRole into the member role', () => {
  test('a hub function the member role trusts gets temporary credentials of that account', async () => {
    start();
    const { out, credentials } = await assume(memberRole(PROD));
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${PROD}:assumed-role/keysweep-member/keysweep-sweep`);
    expect(out.Credentials?.Expiration).toEqual(new Date(NOW.getTime() + 3600_000));
    const who = await new STSClient({ region: 'us-east-1', credentials }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(who.Account).toBe(PROD);
  });

  test("calls with the session's credentials are answered by that account's IAM only; the hub's own clients by the hub's", async () => {
    start();
    const prod = new IAMClient({
      region: 'us-east-1',
      credentials: (await assume(memberRole(PROD))).credentials,
    });
    const dev = new IAMClient({
      region: 'us-east-1',
      credentials: (await assume(memberRole(DEV))).credentials,
    });
    const hub = new IAMClient({ region: 'us-east-1' });
    const names = async (client: IAMClient) =>
      (await client.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName);
    expect(await names(prod)).toEqual(['alice', 'bob']);
    expect(await names(dev)).toEqual(['carol']);
    // In an organization the hub's function roles hold no IAM permission of their own (the hub is
    // swept through its member role too): the hub's own client reaches the hub's IAM, and is refused.
    const own = await rejection(names(hub));
    expect(own.message).toMatch(/keysweep-list-users is not authorized to perform: iam:ListUsers/);
    expect(
      await names(
        new IAMClient({ region: 'us-east-1', credentials: (await assume(memberRole(HUB))).credentials }),
      ),
    ).toEqual(['hub-admin']);
    // A user of another account does not exist here.
    const missing = await rejection(prod.send(new ListAccessKeysCommand({ UserName: 'carol' })));
    expect(missing.name).toBe('NoSuchEntityException');
    await prod.send(
      new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: key(2), Status: 'Inactive' }),
    );
    const after = account.toOrganizationFile().organization.accounts;
    expect(after.find((a) => a.accountId === PROD)?.users[0]?.accessKeys?.[0]?.status).toBe('Inactive');
    expect(after.find((a) => a.accountId === DEV)?.users[0]?.accessKeys?.[0]?.status).toBe('Active');
    expect(account.calls.filter((c) => c.service === 'IAM').map((c) => c.account)).toEqual([
      PROD,
      DEV,
      HUB,
      HUB,
      PROD,
      PROD,
    ]);
  });

  test('the member role may do only what the member stack grants: DeleteAccessKey is refused without deleteAfterDays', async () => {
    start();
    const prod = new IAMClient({
      region: 'us-east-1',
      credentials: (await assume(memberRole(PROD))).credentials,
    });
    const { DeleteAccessKeyCommand } = await import('@aws-sdk/client-iam');
    const denied = await rejection(
      prod.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: key(2) })),
    );
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toBe(
      `User: arn:aws:sts::${PROD}:assumed-role/keysweep-member/keysweep-sweep is not authorized to perform: iam:DeleteAccessKey on resource: arn:aws:iam::${PROD}:user/alice because no identity-based policy allows the iam:DeleteAccessKey action`,
    );
  });

  test('an SCP on the OU denies UpdateAccessKey there: reads work, the deactivation fails with an explicit deny', async () => {
    start();
    const locked = new IAMClient({
      region: 'us-east-1',
      credentials: (await assume(memberRole(LOCKED))).credentials,
    });
    await expect(locked.send(new ListAccessKeysCommand({ UserName: 'dave' }))).resolves.toBeDefined();
    const denied = await rejection(
      locked.send(new UpdateAccessKeyCommand({ UserName: 'dave', AccessKeyId: key(5), Status: 'Inactive' })),
    );
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect(denied.message).toContain('with an explicit deny in a service control policy');
    // The same call elsewhere is allowed: the SCP is attached to Root/Locked only.
    const dev = new IAMClient({
      region: 'us-east-1',
      credentials: (await assume(memberRole(DEV))).credentials,
    });
    await dev.send(
      new UpdateAccessKeyCommand({ UserName: 'carol', AccessKeyId: key(4), Status: 'Inactive' }),
    );
  });

  test.each([
    ['the member stack is not deployed there', NO_ROLE],
    ['the account is suspended', SUSPENDED],
    ['the account is not in the organization', '888888888888'],
  ])('refused as AWS refuses it when %s', async (_why, accountId) => {
    start();
    const denied = await rejection(assume(memberRole(accountId)));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect(denied.message).toBe(
      `User: arn:aws:sts::${HUB}:assumed-role/keysweep-list-users/keysweep-list-users is not authorized to perform: sts:AssumeRole on resource: ${memberRole(accountId)}`,
    );
    expect(account.sts?.denials).toHaveLength(1);
  });

  test('a hub role without sts:AssumeRole (check-action-limit) is refused', async () => {
    start();
    caller = 'function:check-action-limit';
    const denied = await rejection(assume(memberRole(PROD)));
    expect(denied.message).toContain(
      `User: arn:aws:sts::${HUB}:assumed-role/KeySweep-CheckActionLimitRole86C598CA/keysweep-check-action-limit is not authorized to perform: sts:AssumeRole`,
    );
    expect(account.sts?.denials[0]?.reason).toBe(
      'because no identity-based policy allows the sts:AssumeRole action',
    );
  });

  test('the trust requires aws:PrincipalOrgID: a hub account outside the organization is refused', async () => {
    const outside = structuredClone(ORG_FILE);
    outside.organization.accounts = outside.organization.accounts.filter((a) => a.accountId !== HUB);
    start(outside);
    const denied = await rejection(assume(memberRole(PROD)));
    expect(denied.name).toBe('AccessDenied');
    // Its own sts:AssumeRole grant needs aws:ResourceOrgID, which holds; the member role's trust does not.
    expect(account.sts?.denials[0]?.reason).toBe(
      'because no resource-based policy allows the sts:AssumeRole action',
    );
  });

  test('the trust requires aws:PrincipalOrgID: a deployment made for another organization ID is refused everywhere', async () => {
    const other = synthesizePolicies({
      ...CONFIG,
      organization: { ...CONFIG.organization, organizationId: 'o-otherorg00' },
    });
    start(ORG_FILE, other);
    expect((await rejection(assume(memberRole(PROD)))).name).toBe('AccessDenied');
    // The hub role's own grant already fails (aws:ResourceOrgID is not o-otherorg00), as would the trust.
    expect(account.sts?.denials[0]?.reason).toBe(
      'because no identity-based policy allows the sts:AssumeRole action',
    );
  }, 60_000);

  test('a session policy narrows the session: a read-only session cannot deactivate through the member role', async () => {
    start();
    caller = 'function:find-stale-keys';
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: memberRole(PROD),
        RoleSessionName: 'keysweep-find-stale-keys',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['iam:ListAccessKeys', 'iam:ListUserTags'], Resource: '*' }],
        }),
      }),
    );
    const c = out.Credentials;
    const prod = new IAMClient({
      region: 'us-east-1',
      credentials: {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken,
      },
    });
    await expect(prod.send(new ListAccessKeysCommand({ UserName: 'alice' }))).resolves.toBeDefined();
    const denied = await rejection(
      prod.send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: key(2), Status: 'Inactive' })),
    );
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toContain('because no session policy allows the iam:UpdateAccessKey action');
  });

  test("through the SDK clients' middleware too (serialization and error parsing as in AWS)", async () => {
    caller = 'function:deactivate-key';
    account = new SimulatedAccount(ORG_FILE, {
      now: NOW,
      sdkMiddleware: true,
      authorization: { policies, caller: () => caller },
    }).install();
    const { credentials } = await assume(memberRole(LOCKED));
    const locked = new IAMClient({ region: 'us-east-1', credentials });
    expect(
      (await locked.send(new ListAccessKeysCommand({ UserName: 'dave' }))).AccessKeyMetadata,
    ).toHaveLength(1);
    const denied = await rejection(
      locked.send(new UpdateAccessKeyCommand({ UserName: 'dave', AccessKeyId: key(5), Status: 'Inactive' })),
    );
    expect(denied.name).toBe('AccessDenied');
    expect(account.callCounts()).toMatchObject({
      'STS.AssumeRole': 1,
      'IAM.ListAccessKeys': 1,
      'IAM.UpdateAccessKey': 1,
    });
  });

  test('a session key STS never issued is refused; no error names a full ASIA key', async () => {
    start();
    const forged = new IAMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'ASIAFORGED0000000001', secretAccessKey: 'x', sessionToken: 'y' },
    });
    const denied = await rejection(forged.send(new ListUsersCommand({})));
    expect(denied.name).toBe('InvalidClientTokenId');
    expect(denied.message).not.toMatch(/ASIA[A-Z0-9]{16}/);
  });
});

describe('Organizations', () => {
  async function orgReader() {
    caller = 'function:list-accounts';
    const { credentials } = await assume(
      `arn:aws:iam::${MANAGEMENT}:role/keysweep-org-reader`,
      'keysweep-list-accounts',
    );
    return new OrganizationsClient({ region: 'us-east-1', credentials });
  }

  test('ListAccounts pages hold at most 20 accounts, may be empty while more remain, and end without a NextToken', async () => {
    start();
    const org = await orgReader();
    const pages: number[] = [];
    const accounts: Account[] = [];
    let NextToken: string | undefined;
    do {
      const page = await org.send(
        new ListAccountsCommand({ MaxResults: 20, ...(NextToken ? { NextToken } : {}) }),
      );
      pages.push(page.Accounts?.length ?? 0);
      accounts.push(...(page.Accounts ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(pages).toEqual([0, 20, 17]); // 36 listed + the management account, implied
    expect(new Set(accounts.map((a) => a.Id)).size).toBe(37);
    expect(accounts.find((a) => a.Id === SUSPENDED)?.Status).toBe('SUSPENDED');
    expect(account.callCounts()['ORGANIZATIONS.ListAccounts']).toBe(3);
    expect(account.callCounts()['STS.AssumeRole']).toBe(1);
    expect(account.callsTo('ORGANIZATIONS', MANAGEMENT)).toHaveLength(3);
  });

  test('MaxResults above 20 and a NextToken of another listing are refused', async () => {
    start();
    const org = await orgReader();
    expect((await rejection(org.send(new ListAccountsCommand({ MaxResults: 21 })))).name).toBe(
      'InvalidInputException',
    );
    const { NextToken } = await org.send(new ListAccountsCommand({}));
    const roots = org.send(new ListRootsCommand({ ...(NextToken ? { NextToken } : {}) }));
    expect((await rejection(roots)).name).toBe('InvalidInputException');
  });

  test('the OU tree from the root gives each account its path; the accounts under Root/Workloads, recursively', async () => {
    start();
    const org = await orgReader();
    const all = async <T>(fetch: (token?: string) => Promise<{ items: T[]; next?: string }>) => {
      const items: T[] = [];
      let token: string | undefined;
      do {
        const page = await fetch(token);
        items.push(...page.items);
        token = page.next;
      } while (token);
      return items;
    };
    const [root] = await all(async (t) => {
      const r = await org.send(new ListRootsCommand({ ...(t ? { NextToken: t } : {}) }));
      return { items: r.Roots ?? [], ...(r.NextToken ? { next: r.NextToken } : {}) };
    });
    const paths = new Map<string, string>(); // account ID -> OU path
    const walk = async (parentId: string, path: string): Promise<void> => {
      const accounts = await all(async (t) => {
        const r = await org.send(
          new ListAccountsForParentCommand({ ParentId: parentId, ...(t ? { NextToken: t } : {}) }),
        );
        return { items: r.Accounts ?? [], ...(r.NextToken ? { next: r.NextToken } : {}) };
      });
      for (const a of accounts) paths.set(a.Id ?? '', path);
      const ous = await all(async (t) => {
        const r = await org.send(
          new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, ...(t ? { NextToken: t } : {}) }),
        );
        return { items: r.OrganizationalUnits ?? [], ...(r.NextToken ? { next: r.NextToken } : {}) };
      });
      for (const ou of ous) await walk(ou.Id ?? '', `${path}/${ou.Name ?? ''}`);
    };
    await walk(root?.Id ?? '', 'Root');
    expect(paths.get(PROD)).toBe('Root/Workloads/Prod');
    expect(paths.get(MANAGEMENT)).toBe('Root');
    const underWorkloads = [...paths].filter(
      ([, p]) => p === 'Root/Workloads' || p.startsWith('Root/Workloads/'),
    );
    expect(underWorkloads.map(([id]) => id).sort()).toEqual([PROD, DEV]);
  });

  test("an account's tags (the admins tag)", async () => {
    start();
    const org = await orgReader();
    const tags = async () => {
      let NextToken: string | undefined;
      const found: { Key?: string; Value?: string }[] = [];
      do {
        const r = await org.send(
          new ListTagsForResourceCommand({ ResourceId: PROD, ...(NextToken ? { NextToken } : {}) }),
        );
        found.push(...(r.Tags ?? []));
        NextToken = r.NextToken;
      } while (NextToken);
      return found;
    };
    expect(await tags()).toEqual([{ Key: 'keysweep:admins', Value: 'prod-admins@example.com' }]);
  });

  test('answered only in the management account: the hub itself and a member session are refused', async () => {
    start();
    const hub = new OrganizationsClient({ region: 'us-east-1' });
    const fromHub = await rejection(hub.send(new ListAccountsCommand({})));
    expect(fromHub.name).toBe('AccessDeniedException');
    const member = new OrganizationsClient({
      region: 'us-east-1',
      credentials: (await assume(memberRole(PROD))).credentials,
    });
    expect((await rejection(member.send(new ListAccountsCommand({})))).name).toBe('AccessDeniedException');
    expect(account.callCounts()['ORGANIZATIONS.ListAccounts']).toBe(2);
  });

  test('only the list-accounts role may assume the org reader; the member role in the management account is not it', async () => {
    start();
    caller = 'function:list-users';
    const denied = await rejection(assume(`arn:aws:iam::${MANAGEMENT}:role/keysweep-org-reader`));
    expect(denied.name).toBe('AccessDenied');
    // The management account has its own member role (KeySweepManagement), and no SCP applies there.
    const { credentials } = await assume(memberRole(MANAGEMENT));
    const org = new OrganizationsClient({ region: 'us-east-1', credentials });
    const refused = await rejection(org.send(new ListAccountsCommand({})));
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.message).toContain('organizations:ListAccounts');
  });
});
