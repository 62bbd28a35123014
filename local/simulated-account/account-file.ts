/**
 * The account file: a JSON description of an IAM account (users, tags, groups, access keys with
 * their dates) that the simulated account serves and the local runner reads with
 * `npm start -- --account FILE`. See "The account file" in DESIGN.md.
 *
 * `parseAccountFile` validates it with zod (strict objects: unknown fields are errors) plus the
 * cross-field rules zod cannot express alone (duplicates, IAM's two-keys limit, date order), and
 * reports every problem at once, each naming its path and the offending value.
 */
import { z } from 'zod';

export interface AccountKey {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createDate: string;
  lastUsedDate?: string;
  activatedDate?: string;
}

export interface AccountUser {
  userName: string;
  createDate?: string;
  tags?: Record<string, string>;
  groups?: string[];
  accessKeys?: AccountKey[];
}

/** The account's SES: verified identities (addresses or domains), sandbox, configuration sets. */
export interface AccountSes {
  verifiedIdentities: string[];
  sandbox: boolean;
  configurationSets?: string[];
}

export interface AccountFile {
  now?: string;
  credentialReportAgeHours?: number;
  ses?: AccountSes;
  users: AccountUser[];
}

/** A file that is not a valid account file. `problems` lists each problem (the message joins them). */
export class AccountFileError extends Error {
  override readonly name = 'AccountFileError';
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

/** IAM's limit on access keys per user. */
export const MAX_KEYS_PER_USER = 2;
/** An access key ID as IAM issues them for long-term user keys: AKIA + 16 characters. */
export const ACCESS_KEY_ID_PATTERN = /^AKIA[A-Z0-9]{16}$/;
/** IAM user names: 1 to 64 of letters, digits and `+=,.@_-`. */
export const USER_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
/** IAM group names: 1 to 128 of letters, digits and `+=,.@_-`. */
export const GROUP_NAME_PATTERN = /^[\w+=,.@-]{1,128}$/;

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Milliseconds since the epoch of an ISO 8601 date-time that carries a time zone (`Z` or `±hh:mm`),
 * or undefined when the text is not one (wrong shape, no zone, or an impossible date like Feb 30).
 */
export function parseIsoDateTime(text: string): number | undefined {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(
    Number,
  ) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

export const dateTime = z.string().refine((s) => parseIsoDateTime(s) !== undefined, {
  message: 'must be an ISO 8601 date-time with a time zone, e.g. "2026-05-01T10:00:00Z"',
});

const keySchema = z.strictObject({
  accessKeyId: z.string().regex(ACCESS_KEY_ID_PATTERN, {
    message: 'must be an access key ID: AKIA followed by 16 capital letters or digits',
  }),
  status: z.enum(['Active', 'Inactive'], { message: 'must be "Active" or "Inactive"' }),
  createDate: dateTime,
  lastUsedDate: dateTime.optional(),
  activatedDate: dateTime.optional(),
});

export const userSchema = z.strictObject({
  userName: z.string().regex(USER_NAME_PATTERN, {
    message: 'must be an IAM user name (1 to 64 of letters, digits and +=,.@_-)',
  }),
  createDate: dateTime.optional(),
  tags: z.record(z.string(), z.string()).optional(),
  groups: z
    .array(
      z.string().regex(GROUP_NAME_PATTERN, {
        message: 'must be an IAM group name (1 to 128 of letters, digits and +=,.@_-)',
      }),
    )
    .optional(),
  accessKeys: z.array(keySchema).optional(),
});

/** An SES identity: an email address or a domain name. */
const IDENTITY = /^([^@\s]+@)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export const sesSchema = z.strictObject({
  verifiedIdentities: z.array(
    z.string().regex(IDENTITY, { message: 'must be an email address or a domain name' }),
  ),
  sandbox: z.boolean({ message: 'must be true or false' }),
  configurationSets: z.array(z.string().min(1)).optional(),
});

const accountSchema = z.strictObject({
  now: dateTime.optional(),
  ses: sesSchema.optional(),
  credentialReportAgeHours: z
    .number()
    .refine((n) => Number.isFinite(n) && n >= 0, { message: 'must be a number of hours ≥ 0' })
    .optional(),
  users: z.array(userSchema),
});

// The schema's output must be an AccountFile (compile-time check).
const _schemaMatchesInterface: (v: z.output<typeof accountSchema>) => AccountFile = (v) => v;
void _schemaMatchesInterface;

/** At most this many problems are spelled out in the message; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 100;

/**
 * Validates `raw` (already JSON-parsed) as an account file. `source` names it in the error
 * message (a file path, or any label). Throws AccountFileError listing every problem.
 */
export function parseAccountFile(raw: unknown, source: string): AccountFile {
  const result = accountSchema.safeParse(raw, { reportInput: true });
  const problems = result.success ? [] : result.error.issues.map(describeIssue);
  problems.push(...crossFieldProblems(raw));
  if (problems.length > 0 || !result.success) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    if (problems.length > listed.length) listed.push(`and ${problems.length - listed.length} more problems`);
    throw new AccountFileError(`Invalid account file ${source}: ${listed.join('; ')}`, problems);
  }
  return result.data;
}

type PathSegment = PropertyKey;

function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

const EXPECTED: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  record: 'an object',
};

export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path);
  const subject = path === '' ? 'the account file' : path;
  const got = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined && path !== '') return `${subject} is required`;
      return `${subject} must be ${EXPECTED[issue.expected] ?? issue.expected} (got ${got})`;
    case 'unrecognized_keys': {
      const fields = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      return `${subject} has unknown field${issue.keys.length > 1 ? 's' : ''} ${fields}`;
    }
    case 'invalid_value':
      return `${subject} ${issue.message} (got ${got})`;
    default:
      return `${subject} ${issue.message} (got ${got})`;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rules across fields and records; tolerant of any shape (shape problems are zod's). */
function crossFieldProblems(raw: unknown): string[] {
  if (!isRecord(raw) || !Array.isArray(raw.users)) return [];
  return usersProblems(raw.users, 'users', new Map());
}

/**
 * The cross-field problems of one account's users, at `path` (e.g. `users`); `keyOwner` maps each
 * access key ID seen so far to where (key IDs are unique across accounts too).
 */
export function usersProblems(
  users: readonly unknown[],
  path: string,
  keyOwner: Map<string, string>,
): string[] {
  const problems: string[] = [];
  const userIndex = new Map<string, number>();
  users.forEach((user: unknown, u) => {
    if (!isRecord(user)) return;
    const userPath = `${path}[${u}]`;
    if (typeof user.userName === 'string') {
      const first = userIndex.get(user.userName);
      if (first !== undefined) {
        problems.push(
          `${userPath}.userName duplicates ${path}[${first}].userName (got ${describeValue(user.userName)})`,
        );
      } else {
        userIndex.set(user.userName, u);
      }
    }
    if (!Array.isArray(user.accessKeys)) return;
    if (user.accessKeys.length > MAX_KEYS_PER_USER) {
      problems.push(
        `${userPath}.accessKeys has ${user.accessKeys.length} keys; IAM allows at most ${MAX_KEYS_PER_USER} per user`,
      );
    }
    user.accessKeys.forEach((key: unknown, k) => {
      if (!isRecord(key)) return;
      const keyPath = `${userPath}.accessKeys[${k}]`;
      if (typeof key.accessKeyId === 'string') {
        const owner = keyOwner.get(key.accessKeyId);
        if (owner !== undefined) {
          problems.push(
            `${keyPath}.accessKeyId duplicates ${owner}.accessKeyId (got ${describeValue(key.accessKeyId)})`,
          );
        } else {
          keyOwner.set(key.accessKeyId, keyPath);
        }
      }
      const created = typeof key.createDate === 'string' ? parseIsoDateTime(key.createDate) : undefined;
      if (created === undefined) return;
      for (const field of ['lastUsedDate', 'activatedDate'] as const) {
        const value = key[field];
        const at = typeof value === 'string' ? parseIsoDateTime(value) : undefined;
        if (at !== undefined && at < created) {
          problems.push(
            `${keyPath}.${field} must not be before createDate ${describeValue(key.createDate)} (got ${describeValue(value)})`,
          );
        }
      }
    });
  });
  return problems;
}
