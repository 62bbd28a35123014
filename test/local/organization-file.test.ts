/**
 * The organization's account file: strict, every problem listed at once with its path and value,
 * defaults filled (status ACTIVE, memberRole deployed), and written back in the same shape
 * (account-after.json). Today's single-account file is unchanged.
 */
import {
  AccountFileError,
  parseAccountFile,
  parseAnyAccountFile,
  parseOrganizationFile,
  SimulatedAccount,
} from '../../local/simulated-account';

const NOW = '2026-11-28T08:00:00Z';
const alice = {
  userName: 'alice',
  accessKeys: [{ accessKeyId: 'AKIAALICE00000000001', status: 'Active', createDate: '2026-01-01T00:00:00Z' }],
};

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseOrganizationFile(raw, 'org.json');
  } catch (error) {
    expect(error).toBeInstanceOf(AccountFileError);
    expect((error as Error).message).toMatch(/^Invalid account file org\.json: /);
    return (error as AccountFileError).problems;
  }
  throw new Error('parseOrganizationFile accepted the file');
}

describe('parsing an organization file', () => {
  test('fills the defaults: at the root, ACTIVE, the member role deployed, no tags, no users, no SCPs', () => {
    const file = parseOrganizationFile(
      {
        organization: {
          managementAccountId: '111111111111',
          accounts: [{ accountId: '222222222222', name: 'prod' }],
        },
      },
      'org.json',
    );
    expect(file.organization).toEqual({
      managementAccountId: '111111111111',
      accounts: [
        {
          accountId: '222222222222',
          name: 'prod',
          organizationalUnit: 'Root',
          status: 'ACTIVE',
          memberRole: 'deployed',
          tags: {},
          users: [],
        },
      ],
      serviceControlPolicies: [],
    });
  });

  test('lists every problem at once, each with its path and value', () => {
    const problems = problemsOf({
      now: NOW,
      organization: {
        managementAccountId: '11111111111',
        accounts: [
          { accountId: '222222222222', name: 'prod', organizationalUnit: 'Workloads/Prod', status: 'CLOSED' },
          { accountId: '2222', name: 'short', memberRole: 'absent' },
          { accountId: '222222222222', name: 'again', users: [alice] },
          { accountId: '333333333333', name: 'copy', users: [alice], extra: true },
        ],
        serviceControlPolicies: [
          { target: 'Root/Nowhere', policy: { Statement: [] } },
          { target: '999999999999', policy: { Statement: [] } },
          { target: 'Locked', policy: { Statement: [] } },
          { target: 'Root', policy: { Version: '2012-10-17' } },
        ],
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'organization.managementAccountId must be a 12-digit AWS account ID (got "11111111111")',
        'organization.accounts[0].organizationalUnit must be an OU path starting with "Root", e.g. "Root/Workloads/Prod" (got "Workloads/Prod")',
        'organization.accounts[0].status must be "ACTIVE", "SUSPENDED" or "PENDING_CLOSURE" (got "CLOSED")',
        'organization.accounts[1].accountId must be a 12-digit AWS account ID (got "2222")',
        'organization.accounts[1].memberRole must be "deployed" or "missing" (got "absent")',
        'organization.accounts[2].accountId duplicates organization.accounts[0].accountId (got "222222222222")',
        'organization.accounts[3] has unknown field "extra"',
        'organization.accounts[3].users[0].accessKeys[0].accessKeyId duplicates organization.accounts[2].users[0].accessKeys[0].accessKeyId (got "AKIAALICE00000000001")',
        'organization.serviceControlPolicies[0].target names an OU no account of the file is in (got "Root/Nowhere")',
        'organization.serviceControlPolicies[1].target names an account no account of the file is in (got "999999999999")',
        'organization.serviceControlPolicies[2].target must be an OU path starting with "Root" or a 12-digit account ID (got "Locked")',
        'organization.serviceControlPolicies[3].policy.Statement is required',
      ]),
    );
    expect(problems).toHaveLength(12);
  });

  test('an SCP may target an OU above the accounts, and an account of the file', () => {
    expect(() =>
      parseOrganizationFile(
        {
          organization: {
            managementAccountId: '111111111111',
            accounts: [
              { accountId: '222222222222', name: 'prod', organizationalUnit: 'Root/Workloads/Prod' },
            ],
            serviceControlPolicies: [
              { target: 'Root/Workloads', policy: { Statement: [] } },
              { target: '222222222222', policy: { Statement: [] } },
            ],
          },
        },
        'org.json',
      ),
    ).not.toThrow();
  });

  test('a single-account file is read as before; parseAnyAccountFile tells the two apart', () => {
    const single = { now: NOW, users: [alice] };
    expect(parseAnyAccountFile(single, 'a.json')).toEqual(parseAccountFile(single, 'a.json'));
    expect(() => parseAccountFile({ now: NOW, organization: {} }, 'a.json')).toThrow(
      'the account file has unknown field "organization"',
    );
    const org = { organization: { managementAccountId: '111111111111', accounts: [] } };
    expect(parseAnyAccountFile(org, 'org.json')).toEqual(parseOrganizationFile(org, 'org.json'));
  });
});

describe('account-after.json of an organization', () => {
  test('keeps the shape: the listed accounts with their users as they are now, the SCPs, the clock', () => {
    const file = parseOrganizationFile(
      {
        now: NOW,
        organization: {
          managementAccountId: '111111111111',
          organizationId: 'o-a1b2c3d4e5',
          accounts: [
            {
              accountId: '222222222222',
              name: 'prod',
              organizationalUnit: 'Root/Prod',
              tags: { 'keysweep:admins': 'a@example.com' },
              users: [alice],
            },
          ],
          serviceControlPolicies: [{ target: 'Root/Prod', policy: { Version: '2012-10-17', Statement: [] } }],
        },
      },
      'org.json',
    );
    const account = new SimulatedAccount(file, { now: new Date(NOW) });
    const after = account.toOrganizationFile();
    expect(after).toEqual(file);
    expect(account.toFile()).toEqual(file);
    expect(parseAnyAccountFile(JSON.parse(JSON.stringify(after)), 'after.json')).toEqual(file);
    expect(() => account.toAccountFile()).toThrow('use toOrganizationFile()');
  });

  test("each account has its own IAM: the management account, implied, has none of the others' users", () => {
    const file = parseOrganizationFile(
      {
        organization: {
          managementAccountId: '111111111111',
          accounts: [{ accountId: '222222222222', name: 'prod', users: [alice] }],
        },
      },
      'org.json',
    );
    const account = new SimulatedAccount(file, { now: new Date(NOW) });
    expect(account.organization?.account('111111111111')?.iam.hasUser('alice')).toBe(false);
    expect(account.organization?.account('222222222222')?.iam.hasUser('alice')).toBe(true);
    // The hub (the simulator's own account) is not in this organization: an empty IAM of its own.
    expect(account.hasUser('alice')).toBe(false);
  });
});
