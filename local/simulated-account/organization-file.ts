/**
 * The account file of an organization: every account of an AWS Organization behind one simulator
 * (DESIGN.md, "Organizations (hub and members)"):
 *
 *   {"now": "...", "organization": {"managementAccountId": "...", "accounts": [{"accountId": "...",
 *    "name": "...", "organizationalUnit": "Root/Workloads/Prod", "status": "ACTIVE",
 *    "memberRole": "deployed", "tags": {}, "users": [...]}],
 *    "serviceControlPolicies": [{"target": "Root/Locked", "policy": {...}}]}}
 *
 * `status` defaults to ACTIVE and `memberRole` to "deployed" ("missing": the stack that holds the
 * member role is not deployed there). Users are as in a single account's file (account-file.ts).
 * Validated like that file: strict objects, every problem listed at once with its path and value;
 * account IDs are 12 digits and unique, OU paths start with "Root", SCP targets are OU paths or
 * account IDs of the file, and access key IDs are unique across the organization.
 */
import { z } from 'zod';
import {
  AccountFileError,
  dateTime,
  describeIssue,
  describeValue,
  isRecord,
  MAX_LISTED_PROBLEMS,
  parseAccountFile,
  sesSchema,
  userSchema,
  usersProblems,
  type AccountFile,
  type AccountSes,
  type AccountUser,
} from './account-file';

export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
export type MemberRoleState = 'deployed' | 'missing';

export interface OrganizationAccount {
  accountId: string;
  name: string;
  /** the OU path from the root, e.g. "Root/Workloads/Prod" ("Root": directly under the root) */
  organizationalUnit: string;
  status: AccountStatus;
  memberRole: MemberRoleState;
  /** the account's tags in Organizations (ListTagsForResource), e.g. keysweep:admins */
  tags: Record<string, string>;
  users: AccountUser[];
  email?: string;
  credentialReportAgeHours?: number;
}

export interface ServiceControlPolicyAttachment {
  /** an OU path ("Root", "Root/Locked") or an account ID */
  target: string;
  policy: { Version?: string; Statement: unknown[] };
  name?: string;
}

export interface OrganizationSpec {
  managementAccountId: string;
  /** default SIMULATED_ORGANIZATION_ID; must match the configuration's organization.organizationId */
  organizationId?: string;
  accounts: OrganizationAccount[];
  serviceControlPolicies: ServiceControlPolicyAttachment[];
}

export interface OrganizationFile {
  now?: string;
  /** the hub account's SES (the hub sends the emails) */
  ses?: AccountSes;
  organization: OrganizationSpec;
}

/** The organization ID a file without one gets (10 lowercase letters or digits after "o-"). */
export const SIMULATED_ORGANIZATION_ID = 'o-keysweep00';

const ACCOUNT_ID = /^\d{12}$/;
const OU_PATH = /^Root(\/[^/]{1,128})*$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** Organizations account names: 1-50 characters (API_Account). */
const ACCOUNT_NAME = /^[\s\S]{1,50}$/;

const accountId = z.string().regex(ACCOUNT_ID, { message: 'must be a 12-digit AWS account ID' });
const ouPath = z
  .string()
  .regex(OU_PATH, { message: 'must be an OU path starting with "Root", e.g. "Root/Workloads/Prod"' });

const accountSchema = z.strictObject({
  accountId,
  name: z.string().regex(ACCOUNT_NAME, { message: 'must be an account name of 1 to 50 characters' }),
  organizationalUnit: ouPath.default('Root'),
  status: z
    .enum(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE'], {
      message: 'must be "ACTIVE", "SUSPENDED" or "PENDING_CLOSURE"',
    })
    .default('ACTIVE'),
  memberRole: z
    .enum(['deployed', 'missing'], { message: 'must be "deployed" or "missing"' })
    .default('deployed'),
  tags: z.record(z.string(), z.string()).default({}),
  users: z.array(userSchema).default([]),
  email: z.email({ message: 'must be an email address' }).optional(),
  credentialReportAgeHours: z
    .number()
    .refine((n) => Number.isFinite(n) && n >= 0, { message: 'must be a number of hours ≥ 0' })
    .optional(),
});

const policySchema = z.looseObject({
  Version: z.string().optional(),
  Statement: z.array(z.unknown(), { message: 'must be a list of policy statements' }),
});

const scpSchema = z.strictObject({
  target: z.string().refine((t) => OU_PATH.test(t) || ACCOUNT_ID.test(t), {
    message: 'must be an OU path starting with "Root" or a 12-digit account ID',
  }),
  policy: policySchema,
  name: z.string().min(1).optional(),
});

const organizationFileSchema = z.strictObject({
  now: dateTime.optional(),
  ses: sesSchema.optional(),
  organization: z.strictObject({
    managementAccountId: accountId,
    organizationId: z
      .string()
      .regex(ORGANIZATION_ID, { message: 'must be an organization ID such as "o-a1b2c3d4e5"' })
      .optional(),
    accounts: z.array(accountSchema),
    serviceControlPolicies: z.array(scpSchema).default([]),
  }),
});

// The schema's output must be an OrganizationFile (compile-time check).
const _schemaMatchesInterface: (v: z.output<typeof organizationFileSchema>) => OrganizationFile = (v) => v;
void _schemaMatchesInterface;

/** Whether a parsed account file describes an organization. */
export function isOrganizationFile(file: object): file is OrganizationFile {
  return 'organization' in file;
}

/**
 * Validates `raw` (already JSON-parsed) as an organization's account file. Throws AccountFileError
 * listing every problem.
 */
export function parseOrganizationFile(raw: unknown, source: string): OrganizationFile {
  const result = organizationFileSchema.safeParse(raw, { reportInput: true });
  const problems = result.success ? [] : result.error.issues.map(describeIssue);
  problems.push(...organizationProblems(raw));
  if (problems.length > 0 || !result.success) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    if (problems.length > listed.length) listed.push(`and ${problems.length - listed.length} more problems`);
    throw new AccountFileError(`Invalid account file ${source}: ${listed.join('; ')}`, problems);
  }
  return result.data;
}

/** Rules across accounts: unique IDs, SCP targets that exist, users as in one account, unique key IDs. */
function organizationProblems(raw: unknown): string[] {
  const org = isRecord(raw) && isRecord(raw.organization) ? raw.organization : undefined;
  if (!org || !Array.isArray(org.accounts)) return [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const keyOwner = new Map<string, string>();
  const paths = new Set<string>(['Root']);
  org.accounts.forEach((account: unknown, a) => {
    if (!isRecord(account)) return;
    const path = `organization.accounts[${a}]`;
    if (typeof account.accountId === 'string') {
      const first = seen.get(account.accountId);
      if (first !== undefined) {
        problems.push(
          `${path}.accountId duplicates organization.accounts[${first}].accountId (got ${describeValue(account.accountId)})`,
        );
      } else seen.set(account.accountId, a);
    }
    if (typeof account.organizationalUnit === 'string' && OU_PATH.test(account.organizationalUnit)) {
      const parts = account.organizationalUnit.split('/');
      for (let i = 1; i <= parts.length; i++) paths.add(parts.slice(0, i).join('/'));
    }
    if (Array.isArray(account.users))
      problems.push(...usersProblems(account.users, `${path}.users`, keyOwner));
  });
  if (Array.isArray(org.serviceControlPolicies)) {
    org.serviceControlPolicies.forEach((scp: unknown, i) => {
      if (!isRecord(scp) || typeof scp.target !== 'string') return;
      const target = scp.target;
      const known = ACCOUNT_ID.test(target) ? seen.has(target) : !OU_PATH.test(target) || paths.has(target);
      if (!known) {
        problems.push(
          `organization.serviceControlPolicies[${i}].target names ${ACCOUNT_ID.test(target) ? 'an account' : 'an OU'} no account of the file is in (got ${describeValue(target)})`,
        );
      }
    });
  }
  return problems;
}

/**
 * Validates an account file of either kind: an organization's when it has `organization`, else a
 * single account's (today's format, unchanged).
 */
export function parseAnyAccountFile(raw: unknown, source: string): AccountFile | OrganizationFile {
  return isRecord(raw) && 'organization' in raw
    ? parseOrganizationFile(raw, source)
    : parseAccountFile(raw, source);
}
