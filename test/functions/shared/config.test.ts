import { ConfigError, configSchema, parseConfig, policyOf } from '../../../functions/shared/config';

const REQUIRED = { adminEmails: ['security-admins@example.com'], senderEmail: 'keysweep@example.com' };
const SOURCE = 'cdk.json context "keysweep"';
/** The organization settings when the configuration names none: off, every field at its default. */
const ORGANIZATION_OFF = {
  enabled: false,
  organizationId: null,
  hubAccountId: null,
  managementAccountId: null,
  rootId: null,
  accounts: 'ALL',
  organizationalUnits: [],
  excludeAccounts: [],
  memberRoleName: 'keysweep-member',
  planPrincipals: [],
  accountOverrides: {},
  maxActionsPerOrgRun: 1000,
  adminsTag: 'keysweep:admins',
  stackSetCallAs: 'SELF',
  stackSetRegion: null,
};

/** The message parseConfig throws for `raw`, failing the test when it does not throw a ConfigError. */
function errorOf(raw: unknown): string {
  try {
    parseConfig(raw, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).name).toBe('ConfigError');
    return (error as Error).message;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(raw)}`);
}

describe('parseConfig defaults', () => {
  it('fills every default from an object with only adminEmails and senderEmail', () => {
    expect(parseConfig(REQUIRED, SOURCE)).toEqual({
      mode: 'enforce',
      schedule: 'cron(0 8 * * ? *)',
      deactivateAfterDays: 90,
      warnBeforeDays: 14,
      unusedAfterDays: null,
      deleteAfterDays: null,
      exemptTag: 'keysweep:exempt',
      exemptGroups: [],
      maxActionsPerRun: 100,
      adminEmails: ['security-admins@example.com'],
      senderEmail: 'keysweep@example.com',
      sesConfigurationSet: null,
      sesSandbox: false,
      notifyOwners: false,
      ownerEmailTag: 'email',
      reportRetentionDays: 400,
      fullScanOn: 'SUN',
      exposedKeys: 'deactivate',
      organization: ORGANIZATION_OFF,
    });
  });

  it('keeps every value that is set', () => {
    const full = {
      mode: 'report',
      schedule: 'rate(12 hours)',
      deactivateAfterDays: 60,
      warnBeforeDays: 0,
      unusedAfterDays: 30,
      deleteAfterDays: 61,
      exemptTag: 'team:exempt',
      exemptGroups: ['break-glass', 'ci'],
      maxActionsPerRun: 0,
      adminEmails: ['a@example.com', 'b@example.org'],
      senderEmail: 'noreply@example.com',
      sesConfigurationSet: 'keysweep-events',
      sesSandbox: false,
      notifyOwners: true,
      ownerEmailTag: 'owner',
      reportRetentionDays: 30,
      fullScanOn: 'ALWAYS',
      exposedKeys: 'report',
    };
    expect(parseConfig(full, SOURCE)).toEqual({ ...full, organization: ORGANIZATION_OFF });
  });

  it('accepts null for the settings that can be turned off', () => {
    const config = parseConfig({ ...REQUIRED, unusedAfterDays: null, deleteAfterDays: null }, SOURCE);
    expect(config.unusedAfterDays).toBeNull();
    expect(config.deleteAfterDays).toBeNull();
  });
});

describe('parseConfig errors name the setting and the value', () => {
  it.each<[string, unknown, string]>([
    ['mode', 'dry-run', 'must be "enforce" or "report"'],
    ['mode', true, 'must be "enforce" or "report"'],
    ['schedule', 'daily', 'must be an EventBridge expression'],
    ['schedule', 8, 'must be a string'],
    ['deactivateAfterDays', 0, 'must be at least 1'],
    ['deactivateAfterDays', 1.5, 'must be a whole number of days'],
    ['deactivateAfterDays', '90', 'must be a whole number of days'],
    ['deactivateAfterDays', null, 'must be a whole number of days'],
    ['deactivateAfterDays', 36501, 'must be at most 36500'],
    ['warnBeforeDays', -1, 'must be at least 0'],
    ['warnBeforeDays', '14', 'must be a whole number of days'],
    ['unusedAfterDays', 0, 'must be at least 1'],
    ['unusedAfterDays', 'off', 'must be a whole number of days'],
    ['deleteAfterDays', 2.5, 'must be a whole number of days'],
    ['deleteAfterDays', false, 'must be a whole number of days'],
    ['deleteAfterDays', 0, 'must be at least 1'],
    ['deleteAfterDays', 36501, 'must be at most 36500'],
    ['exemptTag', '', 'must be a valid IAM tag key'],
    ['exemptTag', 'x'.repeat(129), 'must be a valid IAM tag key'],
    ['exemptTag', 'bad<tag>', 'must be a valid IAM tag key'],
    ['exemptTag', 42, 'must be a string'],
    ['exemptGroups', 'break-glass', 'must be a list of IAM group names'],
    ['maxActionsPerRun', -1, 'must be at least 0'],
    ['maxActionsPerRun', 10.5, 'must be a whole number'],
    ['maxActionsPerRun', '100', 'must be a whole number'],
    ['adminEmails', 'admin@example.com', 'is required: a list of email addresses'],
    ['adminEmails', [], 'needs at least one address'],
    [
      'adminEmails',
      Array.from({ length: 51 }, (_, i) => `a${i}@example.com`),
      'SES allows at most 50 recipients a message',
    ],
    ['senderEmail', 'keysweep', 'is required: an SES-verified email address'],
    ['senderEmail', ['keysweep@example.com'], 'is required: an SES-verified email address'],
    ['notifyOwners', 'yes', 'must be true or false'],
    ['sesConfigurationSet', 'events set', 'must be an SES configuration set name'],
    ['sesConfigurationSet', '', 'must be an SES configuration set name'],
    ['sesConfigurationSet', 7, 'must be an SES configuration set name or null'],
    ['sesSandbox', 'no', 'must be true or false'],
    ['ownerEmailTag', '', 'must be a valid IAM tag key'],
    ['ownerEmailTag', null, 'must be a string'],
    ['reportRetentionDays', 0, 'must be at least 1'],
    ['reportRetentionDays', 'forever', 'must be a whole number of days'],
    ['fullScanOn', 'sunday', 'must be one of SUN..SAT or "ALWAYS"'],
    ['fullScanOn', 'sun', 'must be one of SUN..SAT or "ALWAYS"'],
    ['exposedKeys', 'disable', 'must be "deactivate" or "report"'],
    ['exposedKeys', true, 'must be "deactivate" or "report"'],
  ])('%s = %j', (key, value, problem) => {
    const message = errorOf({ ...REQUIRED, [key]: value });
    const shown = JSON.stringify(value);
    expect(message).toContain(`Invalid keysweep configuration in ${SOURCE}: `);
    expect(message).toContain(`${key} ${problem}`);
    expect(message).toContain(`(got ${shown.length > 80 ? shown.slice(0, 77) + '...' : shown})`);
  });

  it.each<[string, unknown, string]>([
    ['exemptGroups', ['break-glass', ''], 'exemptGroups[1] must not be empty (got "")'],
    ['exemptGroups', [7], 'exemptGroups[0]'],
    [
      'adminEmails',
      ['ok@example.com', 'not-an-address'],
      'adminEmails[1] must be an email address (got "not-an-address")',
    ],
  ])('points into the list for %s = %j', (key, value, expected) => {
    expect(errorOf({ ...REQUIRED, [key]: value })).toContain(expected);
  });

  it.each([
    ['adminEmails', { senderEmail: 'keysweep@example.com' }],
    ['senderEmail', { adminEmails: ['a@example.com'] }],
  ])('says that a missing %s is required', (key, raw) => {
    expect(errorOf(raw)).toContain(`${key} is required`);
    expect(errorOf(raw)).toContain('(got nothing)');
  });

  it('lists every problem, not just the first', () => {
    const message = errorOf({ ...REQUIRED, mode: 'x', maxActionsPerRun: -1 });
    expect(message).toContain('mode must be');
    expect(message).toContain('maxActionsPerRun must be at least 0');
  });

  it.each([
    [{ deactivateAfterDay: 30 }, 'unknown setting "deactivateAfterDay"'],
    [{ foo: 1, bar: 2 }, 'unknown settings "foo", "bar"'],
  ])('rejects unknown keys: %j', (extra, expected) => {
    expect(errorOf({ ...REQUIRED, ...extra })).toContain(expected);
  });

  it.each([
    [{ warnBeforeDays: 90 }, 'warnBeforeDays must be less than deactivateAfterDays (90) (got 90)'],
    [{ warnBeforeDays: 100 }, 'warnBeforeDays must be less than deactivateAfterDays (90) (got 100)'],
    [
      { deactivateAfterDays: 30, warnBeforeDays: 30 },
      'warnBeforeDays must be less than deactivateAfterDays (30) (got 30)',
    ],
    [
      { sesSandbox: true, notifyOwners: true },
      'notifyOwners cannot be on while sesSandbox is true: in the SES sandbox every recipient must be a verified identity',
    ],
  ])('rejects settings that contradict each other: %j', (extra, expected) => {
    expect(errorOf({ ...REQUIRED, ...extra })).toContain(expected);
  });

  it.each([[{ warnBeforeDays: 89 }], [{ deactivateAfterDays: 30, warnBeforeDays: 29, deleteAfterDays: 31 }]])(
    'accepts the closest consistent values: %j',
    (extra) => {
      expect(() => parseConfig({ ...REQUIRED, ...extra }, SOURCE)).not.toThrow();
    },
  );

  // deleteAfterDays counts the days keysweep has seen a key inactive, not the key's age, so it
  // need not exceed deactivateAfterDays any more (it had to while both counted from creation).
  it.each([[1], [30], [90], [36500]])(
    'accepts deleteAfterDays %j whatever deactivateAfterDays is',
    (deleteAfterDays) => {
      expect(parseConfig({ ...REQUIRED, deleteAfterDays }, SOURCE).deleteAfterDays).toBe(deleteAfterDays);
    },
  );

  it.each([null, undefined, 'mode=report', 42, true, [], [1]])('rejects %j as not an object', (raw) => {
    const message = errorOf(raw);
    expect(message).toContain(`Invalid keysweep configuration in ${SOURCE}: expected an object, got `);
    expect(message).toContain(raw === undefined ? 'got nothing' : `got ${JSON.stringify(raw)}`);
  });

  it('shortens a long value in the message', () => {
    const message = errorOf({ ...REQUIRED, mode: 'x'.repeat(200) });
    expect(message).toContain(`(got "${'x'.repeat(76)}...)`);
    expect(message).not.toContain('x'.repeat(100));
  });
});

describe('schedule expressions', () => {
  it.each([
    'cron(0 8 * * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0 8 ? * * *)',
    'cron(0 8 ? * MON-SUN *)',
    'rate(1 minute)',
    'rate(1 hour)',
    'rate(1 day)',
    'rate(10 minutes)',
    'rate(24 hours)',
  ])('accepts %s', (schedule) => {
    expect(parseConfig({ ...REQUIRED, schedule }, SOURCE).schedule).toBe(schedule);
  });

  it.each([
    'cron(0 8 ? * MON-FRI *)',
    'cron(30 6 1 * ? *)',
    'cron(0 8 * * ? 2027)',
    'rate(2 days)',
    'rate(25 hours)',
    'rate(100 days)',
  ])('rejects %s, which runs less often than daily, naming the alarm that needs it', (schedule) => {
    expect(errorOf({ ...REQUIRED, schedule })).toContain(
      `schedule must run at least once a day (the stack alarms when no run succeeded in 26 hours), e.g. "cron(0 8 * * ? *)" (got "${schedule}")`,
    );
  });

  it.each([
    'cron(0 8 * * ?)',
    'cron(0 8 * * ? * *)',
    'cron()',
    'cron(0  8 * * ? *)',
    ' cron(0 8 * * ? *)',
    'cron(0 8 * * ? *) ',
    'rate(1 days)',
    'rate(2 day)',
    'rate(0 days)',
    'rate(01 days)',
    'rate(1 week)',
    'rate(-1 days)',
    'rate(day)',
    '0 8 * * *',
    'at(2026-11-28T08:00:00)',
    '',
  ])('rejects %j', (schedule) => {
    expect(errorOf({ ...REQUIRED, schedule })).toContain(`schedule must be an EventBridge expression`);
  });
});

describe('policyOf', () => {
  it('takes exactly the settings that decide a key', () => {
    const config = configSchema.parse({
      ...REQUIRED,
      mode: 'report',
      unusedAfterDays: 45,
      deleteAfterDays: 180,
      exemptGroups: ['break-glass'],
    });
    expect(policyOf(config)).toEqual({
      deactivateAfterDays: 90,
      warnBeforeDays: 14,
      unusedAfterDays: 45,
      deleteAfterDays: 180,
      exemptTag: 'keysweep:exempt',
      exemptGroups: ['break-glass'],
    });
  });
});

describe('parseConfig cross-field messages', () => {
  it('names the default value a rule compared with, when the input left it out', () => {
    expect(errorOf({ ...REQUIRED, deactivateAfterDays: 10 })).toContain(
      'warnBeforeDays must be less than deactivateAfterDays (10) (got 14)',
    );
  });

  it('says nothing about the other settings when deactivateAfterDays itself is bad', () => {
    const message = errorOf({ ...REQUIRED, deactivateAfterDays: -1 });
    expect(message).toContain('deactivateAfterDays must be at least 1 (got -1)');
    expect(message).not.toContain('warnBeforeDays');
  });
});
