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
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
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
    if (issue.code === 'unrecognized_keys') {
      return `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const key = formatPath(issue.path);
    // A cross-field rule reports the value it checked, which may be a default the input left out.
    const value = issue.code === 'custom' && 'input' in issue ? issue.input : valueAt(raw, issue.path);
    return `${key} ${issue.message} (got ${describeValue(value)})`;
  });
  throw new ConfigError(`Invalid keysweep configuration in ${source}: ${problems.join('; ')}`);
}
