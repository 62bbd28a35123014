/**
 * The `organization` settings: off by default (a single-account deployment sees no change), strict,
 * and every mistake named by its full path and value like the other settings.
 */
import { ConfigError, parseConfig } from '../../../functions/shared/config';

const REQUIRED = { adminEmails: ['security-admins@example.com'], senderEmail: 'keysweep@example.com' };
const SOURCE = 'cdk.json context "keysweep"';
const ENABLED = {
  enabled: true,
  organizationId: 'o-a1b2c3d4e5',
  hubAccountId: '111111111111',
  managementAccountId: '999999999999',
  rootId: 'r-a1b2',
};

function errorOf(organization: unknown): string {
  try {
    parseConfig({ ...REQUIRED, organization }, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`parseConfig accepted organization ${JSON.stringify(organization)}`);
}

describe('organization defaults', () => {
  it('is off, sweeping every ACTIVE account with the keysweep-member role, when left out', () => {
    const { organization } = parseConfig(REQUIRED, SOURCE);
    expect(organization).toMatchObject({
      enabled: false,
      accounts: 'ALL',
      organizationalUnits: [],
      excludeAccounts: [],
      memberRoleName: 'keysweep-member',
      accountOverrides: {},
      maxActionsPerOrgRun: 1000,
      adminsTag: 'keysweep:admins',
      stackSetCallAs: 'SELF',
      stackSetRegion: null,
    });
  });

  it('fills the same defaults into a partial object', () => {
    expect(parseConfig({ ...REQUIRED, organization: { enabled: false } }, SOURCE).organization).toEqual(
      parseConfig(REQUIRED, SOURCE).organization,
    );
  });

  it('keeps every value that is set', () => {
    const organization = {
      ...ENABLED,
      accounts: ['222222222222', '333333333333'],
      organizationalUnits: ['Root/Workloads/Prod', 'ou-ab12-cd34ef56'],
      excludeAccounts: ['444444444444'],
      memberRoleName: 'sec-keysweep',
      planPrincipals: ['arn:aws:iam::111111111111:role/keysweep-planner'],
      accountOverrides: { '222222222222': { mode: 'report' }, 'Root/Sandbox': { mode: 'enforce' } },
      maxActionsPerOrgRun: 0,
      adminsTag: null,
      stackSetCallAs: 'DELEGATED_ADMIN',
      stackSetRegion: 'eu-west-1',
    };
    expect(parseConfig({ ...REQUIRED, organization }, SOURCE).organization).toEqual(organization);
  });

  it('needs no rootId when every OU is given by ID (the StackSet targets those)', () => {
    const noRoot = { ...ENABLED, rootId: null };
    const parsed = parseConfig(
      { ...REQUIRED, organization: { ...noRoot, organizationalUnits: ['ou-ab12-cd34ef56'] } },
      SOURCE,
    );
    expect(parsed.organization.rootId).toBeNull();
  });
});

describe('organization errors name the setting and the value', () => {
  it.each<[string, unknown, string]>([
    ['enabled', 'yes', 'organization.enabled must be true or false (got "yes")'],
    [
      'organizationId',
      'o-short',
      'organization.organizationId must be an organization ID such as "o-a1b2c3d4e5" (got "o-short")',
    ],
    ['hubAccountId', 1111, 'organization.hubAccountId must be a 12-digit AWS account ID (got 1111)'],
    ['rootId', 'root', 'organization.rootId must be a root ID such as "r-a1b2" (got "root")'],
    [
      'accounts',
      'all',
      'organization.accounts must be "ALL" or a list of 12-digit AWS account IDs (got "all")',
    ],
    [
      'organizationalUnits',
      'Root/Prod',
      'organization.organizationalUnits must be a list of OU paths or OU IDs (got "Root/Prod")',
    ],
    [
      'excludeAccounts',
      '222222222222',
      'organization.excludeAccounts must be a list of 12-digit AWS account IDs',
    ],
    [
      'memberRoleName',
      'keysweep member',
      'organization.memberRoleName must be an IAM role name (1-64 of letters, digits and +=,.@_-) (got "keysweep member")',
    ],
    ['memberRoleName', 'x'.repeat(65), 'organization.memberRoleName must be an IAM role name'],
    ['maxActionsPerOrgRun', -1, 'organization.maxActionsPerOrgRun must be at least 0 (got -1)'],
    ['maxActionsPerOrgRun', 1.5, 'organization.maxActionsPerOrgRun must be a whole number (got 1.5)'],
    ['adminsTag', '', 'organization.adminsTag must be a valid tag key (1-128 characters) or null (got "")'],
    [
      'stackSetCallAs',
      'ADMIN',
      'organization.stackSetCallAs must be "SELF" or "DELEGATED_ADMIN" (got "ADMIN")',
    ],
    [
      'stackSetRegion',
      'Europe',
      'organization.stackSetRegion must be a region name such as "us-east-1" or null (got "Europe")',
    ],
  ])('%s = %j', (key, value, expected) => {
    expect(errorOf({ [key]: value })).toContain(expected);
  });

  it('points into the lists, naming the index and the value', () => {
    const message = errorOf({
      accounts: ['222222222222', '333333333333', '12345'],
      organizationalUnits: ['Root/Workloads', 'Workloads/Prod', 'ou-x'],
      excludeAccounts: ['4444444444444'],
    });
    expect(message).toContain('organization.accounts[2] must be a 12-digit AWS account ID (got "12345")');
    expect(message).toContain(
      'organization.organizationalUnits[1] must be an OU path such as "Root/Workloads/Prod" or an OU ID such as "ou-ab12-cd34ef56" (got "Workloads/Prod")',
    );
    expect(message).toContain('organization.organizationalUnits[2] must be an OU path');
    expect(message).toContain(
      'organization.excludeAccounts[0] must be a 12-digit AWS account ID (got "4444444444444")',
    );
  });

  it('refuses an account or OU listed twice', () => {
    const message = errorOf({
      accounts: ['222222222222', '333333333333', '222222222222'],
      organizationalUnits: ['Root/A', 'Root/A'],
    });
    expect(message).toContain(
      'organization.accounts[2] duplicates organization.accounts[0] (got "222222222222")',
    );
    expect(message).toContain(
      'organization.organizationalUnits[1] duplicates organization.organizationalUnits[0] (got "Root/A")',
    );
  });

  it('refuses an override keyed by anything but an account ID or an OU path, and an override without a valid mode', () => {
    const message = errorOf({
      accountOverrides: {
        'ou-ab12-cd34ef56': { mode: 'report' },
        '222222222222': { mode: 'dry-run' },
        'Root/Sandbox': {},
        'Root/Prod': { mode: 'report', schedule: 'rate(1 day)' },
      },
    });
    expect(message).toContain(
      'organization.accountOverrides["ou-ab12-cd34ef56"] must be keyed by a 12-digit AWS account ID or an OU path such as "Root/Workloads/Prod" (got "ou-ab12-cd34ef56")',
    );
    expect(message).toContain(
      'organization.accountOverrides["222222222222"].mode must be "enforce" or "report" (got "dry-run")',
    );
    expect(message).toContain(
      'organization.accountOverrides["Root/Sandbox"].mode must be "enforce" or "report" (got nothing)',
    );
    expect(message).toContain('unknown setting "organization.accountOverrides["Root/Prod"].schedule"');
  });

  it('rejects unknown organization settings by their full name', () => {
    expect(errorOf({ enabled: false, acounts: 'ALL' })).toContain('unknown setting "organization.acounts"');
  });

  it.each(['on', true, ['ALL'], null])('rejects %j as not an object', (value) => {
    expect(errorOf(value)).toContain('organization must be an object');
  });

  it('requires the IDs the member and org reader roles trust, when enabled, and names each', () => {
    const message = errorOf({ enabled: true });
    for (const key of ['organizationId', 'hubAccountId', 'managementAccountId', 'rootId']) {
      expect(message).toContain(`organization.${key} is required when organization.enabled is true`);
    }
  });

  it('requires rootId when an OU is given by path, since the StackSet can target only IDs', () => {
    const noRoot = { ...ENABLED, rootId: null };
    expect(errorOf({ ...noRoot, organizationalUnits: ['ou-ab12-cd34ef56', 'Root/Prod'] })).toContain(
      'organization.rootId is required when organization.enabled is true and organizationalUnits is empty or holds OU paths',
    );
  });

  it('does not require those IDs while the organization is off', () => {
    expect(() =>
      parseConfig({ ...REQUIRED, organization: { accounts: ['222222222222'] } }, SOURCE),
    ).not.toThrow();
  });
});
