/**
 * The keysweep configuration: one zod schema for the `keysweep` context of cdk.json, read at
 * synth by infra/, by the Lambdas (through the KEYSWEEP_CONFIG environment variable) and by
 * the local runner. Every error names the key and the value that is wrong.
 */
import { z } from 'zod';

export const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const days = (min: number) =>
  z
    .number({ error: 'must be a whole number of days' })
    .int({ error: 'must be a whole number of days' })
    .min(min, { error: `must be at least ${min}` })
    .max(36500, { error: 'must be at most 36500 (100 years)' });

const email = z.email({ error: 'must be an email address' });

/** EventBridge schedule expressions: cron with six fields or rate(N unit). */
const SCHEDULE =
  /^(cron\((\S+ ){5}\S+\)|rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\))$/;

/**
 * Whether a (well-formed) schedule runs at least once a day: the stack alarms when no run has
 * succeeded for 26 hours, so a weekly or weekday-only schedule would keep that alarm firing.
 */
export function runsDaily(schedule: string): boolean {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule);
  if (rate) {
    const n = Number(rate[1]);
    return rate[2] === 'minute' ? n <= 1440 : rate[2] === 'hour' ? n <= 24 : n === 1;
  }
  const fields = /^cron\((.*)\)$/.exec(schedule)?.[1]?.split(' ') ?? [];
  const [, , dayOfMonth, month, dayOfWeek, year] = fields;
  const every = (field: string | undefined, also: string[] = []) => ['*', '?', ...also].includes(field ?? '');
  return every(dayOfMonth) && every(month) && every(year) && every(dayOfWeek, ['SUN-SAT', 'MON-SUN', '1-7']);
}

/** An IAM tag key: 1-128 characters of letters, digits, spaces and _.:/=+-@ */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/** A 12-digit AWS account ID. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** An organization ID as AWS Organizations issues them (API_Organization: ^o-[a-z0-9]{10,32}$). */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
/** A root ID (API_Root: ^r-[0-9a-z]{4,32}$). */
export const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;
/** An OU ID (API_OrganizationalUnit: ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$). */
export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
/**
 * An OU path as keysweep writes them: "Root", then each OU's name from the root down, joined by "/"
 * ("Root/Workloads/Prod"). OU names are 1-128 characters (API_OrganizationalUnit); a name holding "/"
 * cannot be written as a path: name such an OU by its ID.
 */
export const OU_PATH_PATTERN = /^Root(\/[^/]{1,128})*$/;
/** IAM role names: 1-64 of letters, digits and +=,.@_- (API_Role). */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
/**
 * A plan principal (organization.planPrincipals): a role or user ARN in the hub account, `*` only in
 * its path and name (an ArnLike pattern on aws:PrincipalArn, infra/organization.ts).
 */
export const PLAN_PRINCIPAL_PATTERN = /^arn:aws(-[a-z]+)*:iam::(\d{12}):(role|user)\/[\w+=,.@/*-]+$/;
const PLAN_PRINCIPAL_ERROR =
  'must be the ARN (or an ArnLike pattern, * only in the path and name) of a role or user in the hub account, ' +
  'such as "arn:aws:iam::<hubAccountId>:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_SecurityAudit_*"';
/** An AWS region name such as "eu-west-1" or "us-gov-west-1". */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

const accountId = z
  .string({ error: 'must be a 12-digit AWS account ID' })
  .regex(ACCOUNT_ID_PATTERN, { error: 'must be a 12-digit AWS account ID' });

const accountIds = z.array(accountId, { error: 'must be a list of 12-digit AWS account IDs' });

const ouPathOrId = z
  .string({
    error: 'must be an OU path such as "Root/Workloads/Prod" or an OU ID such as "ou-ab12-cd34ef56"',
  })
  .refine((s) => OU_PATH_PATTERN.test(s) || OU_ID_PATTERN.test(s), {
    error: 'must be an OU path such as "Root/Workloads/Prod" or an OU ID such as "ou-ab12-cd34ef56"',
  });

/** What an account or OU may set apart from the rest of the organization. */
const accountOverride = z.strictObject({
  mode: z.enum(['enforce', 'report'], { error: 'must be "enforce" or "report"' }),
});

/** The organization settings (hub and members, see "Organizations" in the README). */
export const organizationSchema = z
  .strictObject(
    {
      /** sweep the organization's accounts from this (hub) deployment */
      enabled: z.boolean({ error: 'must be true or false' }).default(false),
      /** the organization's ID: the member and org reader roles trust the hub only under aws:PrincipalOrgID */
      organizationId: z
        .string({ error: 'must be an organization ID such as "o-a1b2c3d4e5"' })
        .regex(ORGANIZATION_ID_PATTERN, { error: 'must be an organization ID such as "o-a1b2c3d4e5"' })
        .nullable()
        .default(null),
      /** the account the hub stack (KeySweep) is deployed in: the member roles trust its function roles */
      hubAccountId: accountId.nullable().default(null),
      /** the organization's management account: it holds the org reader role and its own member role */
      managementAccountId: accountId.nullable().default(null),
      /** the organization's root ID: the StackSet's target when no OU is given by ID */
      rootId: z
        .string({ error: 'must be a root ID such as "r-a1b2"' })
        .regex(ROOT_ID_PATTERN, { error: 'must be a root ID such as "r-a1b2"' })
        .nullable()
        .default(null),
      /** "ALL": every ACTIVE account (Organizations ListAccounts); or these accounts only */
      accounts: z
        .union([z.literal('ALL'), accountIds], {
          error: 'must be "ALL" or a list of 12-digit AWS account IDs',
        })
        .default('ALL'),
      /** only the accounts under these OUs (recursively); [] = no OU filter */
      organizationalUnits: z.array(ouPathOrId, { error: 'must be a list of OU paths or OU IDs' }).default([]),
      excludeAccounts: accountIds.default([]),
      memberRoleName: z
        .string({ error: 'must be an IAM role name' })
        .regex(ROLE_NAME_PATTERN, { error: 'must be an IAM role name (1-64 of letters, digits and +=,.@_-)' })
        .default('keysweep-member'),
      /**
       * principals of the hub account (ARN patterns) that may run `npm run plan -- --org`: with any, the
       * member and management stacks add the read-only plan role, and the org reader role trusts them
       */
      planPrincipals: z
        .array(
          z
            .string({ error: PLAN_PRINCIPAL_ERROR })
            .regex(PLAN_PRINCIPAL_PATTERN, { error: PLAN_PRINCIPAL_ERROR }),
          { error: 'must be a list of IAM role or user ARN patterns in the hub account' },
        )
        .default([]),
      /** by account ID or OU path: settings that differ there (the most specific one wins) */
      accountOverrides: z
        .record(
          z.string().refine((key) => ACCOUNT_ID_PATTERN.test(key) || OU_PATH_PATTERN.test(key), {
            error: 'must be keyed by a 12-digit AWS account ID or an OU path such as "Root/Workloads/Prod"',
          }),
          accountOverride,
          { error: 'must be an object keyed by account ID or OU path' },
        )
        .default({}),
      /** circuit breaker over the whole organization: more planned actions and no account changes */
      maxActionsPerOrgRun: z
        .number({ error: 'must be a whole number' })
        .int({ error: 'must be a whole number' })
        .min(0, { error: 'must be at least 0' })
        .default(1000),
      /** account tag (Organizations ListTagsForResource) holding the account's admins' addresses, or null */
      adminsTag: z
        .string({ error: 'must be a tag key or null' })
        .regex(TAG_KEY, { error: 'must be a valid tag key (1-128 characters) or null' })
        .nullable()
        .default('keysweep:admins'),
      /** how the StackSet is created: from the management account (SELF) or a delegated administrator */
      stackSetCallAs: z
        .enum(['SELF', 'DELEGATED_ADMIN'], { error: 'must be "SELF" or "DELEGATED_ADMIN"' })
        .default('SELF'),
      /** the one region the StackSet deploys the member role in (IAM is global); null: the StackSet stack's own */
      stackSetRegion: z
        .string({ error: 'must be a region name such as "us-east-1" or null' })
        .regex(REGION_PATTERN, { error: 'must be a region name such as "us-east-1" or null' })
        .nullable()
        .default(null),
    },
    { error: 'must be an object such as {"enabled": true, ...}' },
  )
  .superRefine((o, ctx) => {
    const issue = (path: PropertyKey[], input: unknown, message: string) =>
      ctx.addIssue({ code: 'custom', path, input, message });
    const duplicates = (list: unknown, path: string) => {
      if (!Array.isArray(list)) return;
      const seen = new Map<unknown, number>();
      list.forEach((item: unknown, i) => {
        const first = seen.get(item);
        if (first === undefined) seen.set(item, i);
        else issue([path, i], item, `duplicates organization.${path}[${first}]`);
      });
    };
    duplicates(o.accounts, 'accounts');
    duplicates(o.organizationalUnits, 'organizationalUnits');
    duplicates(o.excludeAccounts, 'excludeAccounts');
    duplicates(o.planPrincipals, 'planPrincipals');
    o.planPrincipals.forEach((arn, i) => {
      const account = PLAN_PRINCIPAL_PATTERN.exec(arn)?.[2];
      if (o.hubAccountId === null) {
        issue(
          ['planPrincipals', i],
          arn,
          'needs organization.hubAccountId: a plan principal is in the hub account',
        );
      } else if (account !== undefined && account !== o.hubAccountId) {
        issue(
          ['planPrincipals', i],
          arn,
          `must be in the hub account: organization.hubAccountId is ${o.hubAccountId}, the ARN names ${account}`,
        );
      }
    });
    if (o.enabled !== true) return;
    const required: [keyof typeof o, string][] = [
      ['organizationId', 'an organization ID such as "o-a1b2c3d4e5"'],
      ['hubAccountId', "the hub account's 12-digit ID"],
      ['managementAccountId', "the management account's 12-digit ID"],
    ];
    for (const [key, what] of required) {
      if (o[key] === null) issue([key], o[key], `is required when organization.enabled is true: ${what}`);
    }
    const ouIds = o.organizationalUnits.filter((ou) => OU_ID_PATTERN.test(ou));
    if (o.rootId === null && (ouIds.length === 0 || ouIds.length < o.organizationalUnits.length)) {
      issue(
        ['rootId'],
        o.rootId,
        'is required when organization.enabled is true and organizationalUnits is empty or holds OU paths: the StackSet then deploys the member role from the root (`aws organizations list-roots`)',
      );
    }
  });

export type OrganizationConfig = z.output<typeof organizationSchema>;

export const configSchema = z
  .strictObject({
    mode: z.enum(['enforce', 'report'], { error: 'must be "enforce" or "report"' }).default('enforce'),
    schedule: z
      .string({ error: 'must be a string' })
      .regex(SCHEDULE, {
        error: 'must be an EventBridge expression such as "cron(0 8 * * ? *)" or "rate(1 day)"',
      })
      .default('cron(0 8 * * ? *)'),
    deactivateAfterDays: days(1).default(90),
    warnBeforeDays: days(0).default(14),
    unusedAfterDays: days(1).nullable().default(null),
    // Days keysweep has seen a key inactive, not its age: no longer tied to deactivateAfterDays.
    deleteAfterDays: days(1).nullable().default(null),
    exemptTag: z
      .string({ error: 'must be a string' })
      .regex(TAG_KEY, { error: 'must be a valid IAM tag key (1-128 characters)' })
      .default('keysweep:exempt'),
    exemptGroups: z
      .array(z.string().min(1, { error: 'must not be empty' }), {
        error: 'must be a list of IAM group names',
      })
      .default([]),
    maxActionsPerRun: z
      .number({ error: 'must be a whole number' })
      .int({ error: 'must be a whole number' })
      .min(0, { error: 'must be at least 0' })
      .default(100),
    adminEmails: z
      .array(email, { error: 'is required: a list of email addresses' })
      .min(1, { error: 'needs at least one address' })
      .max(50, { error: 'SES allows at most 50 recipients a message' }),
    senderEmail: z.email({ error: 'is required: an SES-verified email address' }),
    /** an SES configuration set every message is sent with (event publishing, suppression), or null */
    sesConfigurationSet: z
      .string({ error: 'must be an SES configuration set name or null' })
      .regex(/^[A-Za-z0-9_-]{1,64}$/, {
        error: 'must be an SES configuration set name (1-64 letters, digits, _ and -)',
      })
      .nullable()
      .default(null),
    /**
     * The account's SES is in the sandbox: SES then authorizes every message on each recipient's
     * identity too, so the admins' addresses are granted as well.
     */
    sesSandbox: z.boolean({ error: 'must be true or false' }).default(false),
    notifyOwners: z.boolean({ error: 'must be true or false' }).default(false),
    ownerEmailTag: z
      .string({ error: 'must be a string' })
      .regex(TAG_KEY, { error: 'must be a valid IAM tag key (1-128 characters)' })
      .default('email'),
    reportRetentionDays: days(1).default(400),
    fullScanOn: z
      .enum([...WEEKDAYS, 'ALWAYS'], { error: 'must be one of SUN..SAT or "ALWAYS"' })
      .default('SUN'),
    /**
     * What an AWS Health AWS_RISK_CREDENTIALS_EXPOSED event does to the key it names: "deactivate" it
     * at once, whatever its age or its user's exemption, or "report" it only. Independent of `mode`,
     * which is the daily sweep's.
     */
    exposedKeys: z
      .enum(['deactivate', 'report'], { error: 'must be "deactivate" or "report"' })
      .default('deactivate'),
    /** sweeping the accounts of an AWS Organization from this deployment (off: this account only) */
    organization: organizationSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    // Compare only valid values: a bad deactivateAfterDays has its own message already.
    if (SCHEDULE.test(c.schedule) && !runsDaily(c.schedule)) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule'],
        input: c.schedule,
        message:
          'must run at least once a day (the stack alarms when no run succeeded in 26 hours), e.g. "cron(0 8 * * ? *)"',
      });
    }
    if (c.sesSandbox === true && c.notifyOwners === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['notifyOwners'],
        input: c.notifyOwners,
        message:
          'cannot be on while sesSandbox is true: in the SES sandbox every recipient must be a verified identity that keysweep may send to, and owners are not known when deploying; request SES production access first',
      });
    }
    const valid = (n: unknown) => Number.isInteger(n) && (n as number) >= 0;
    if (!valid(c.deactivateAfterDays) || !valid(c.warnBeforeDays)) return;
    if (c.warnBeforeDays >= c.deactivateAfterDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['warnBeforeDays'],
        input: c.warnBeforeDays,
        message: `must be less than deactivateAfterDays (${c.deactivateAfterDays})`,
      });
    }
  });

export type KeysweepConfig = z.output<typeof configSchema>;
export type Mode = KeysweepConfig['mode'];

/** The policy part of the configuration: what decides a key's fate. */
export type Policy = Pick<
  KeysweepConfig,
  | 'deactivateAfterDays'
  | 'warnBeforeDays'
  | 'unusedAfterDays'
  | 'deleteAfterDays'
  | 'exemptTag'
  | 'exemptGroups'
>;

export function policyOf(config: KeysweepConfig): Policy {
  const { deactivateAfterDays, warnBeforeDays, unusedAfterDays, deleteAfterDays, exemptTag, exemptGroups } =
    config;
  return { deactivateAfterDays, warnBeforeDays, unusedAfterDays, deleteAfterDays, exemptTag, exemptGroups };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = raw;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) =>
      typeof p === 'number'
        ? `[${p}]`
        : typeof p === 'string' && !/^[A-Za-z_$][\w$]*$/.test(p)
          ? `[${JSON.stringify(p)}]` // an account ID or OU path used as a key
          : i === 0
            ? String(p)
            : `.${String(p)}`,
    )
    .join('');
}

/**
 * Parses a raw configuration object. `source` says where it came from
 * (for example `cdk.json context "keysweep"`) and starts every error message.
 */
export function parseConfig(raw: unknown, source: string): KeysweepConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      `Invalid keysweep configuration in ${source}: expected an object, got ${describeValue(raw)}`,
    );
  }
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const within = key === '' ? '' : `${key}.`;
      return `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${within}${k}"`).join(', ')}`;
    }
    if (issue.code === 'invalid_key') {
      return `${key} ${issue.issues[0]?.message ?? issue.message} (got ${describeValue(issue.path.at(-1))})`;
    }
    // A cross-field rule reports the value it checked, which may be a default the input left out.
    const value = issue.code === 'custom' && 'input' in issue ? issue.input : valueAt(raw, issue.path);
    return `${key} ${issue.message} (got ${describeValue(value)})`;
  });
  throw new ConfigError(`Invalid keysweep configuration in ${source}: ${problems.join('; ')}`);
}
