/**
 * An organization run as the functions see it: which account a sweep works in (the account target
 * list-accounts hands to each account's executions), the organization run it belongs to, and the
 * member role session the account's IAM calls are made with.
 *
 * IAM is global (IAM User Guide, "IAM ... is a global service"): one sweep per account, never
 * one per region. Every account, the hub included, is swept through its member role: the hub's
 * function roles hold no IAM permission of their own in an organization (README, Organizations),
 * so the hub is reached the same way as any account, and an account without the member role
 * (the StackSet does not target it) is reported unreachable like any other.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import type { OrganizationConfig } from './config';

/** The read-only Organizations role in the management account (stack KeySweepManagement). */
export const ORG_READER_ROLE_NAME = 'keysweep-org-reader';

/** The org reader role, assumed by list-accounts only. */
export function orgReaderRoleArn(managementAccountId: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${managementAccountId}:role/${ORG_READER_ROLE_NAME}`;
}

/** The member role in one account: what the pipeline passes to sts:AssumeRole. */
export function memberRoleArn(
  org: Pick<OrganizationConfig, 'memberRoleName'>,
  accountId: string,
  partition = 'aws',
): string {
  return `arn:${partition}:iam::${accountId}:role/${org.memberRoleName}`;
}

/** The member role in any account: what may be assumed (the hub's roles, a plan's caller), by ARN pattern. */
export function memberRoleArnPattern(
  org: Pick<OrganizationConfig, 'memberRoleName'>,
  partition = 'aws',
): string {
  return memberRoleArn(org, '*', partition);
}

/** The account an account execution sweeps, as list-accounts describes it. */
export const accountTargetSchema = z.object({
  accountId: z.string().regex(/^\d{12}$/),
  name: z.string(),
  /** "Root/Workloads/Prod"; "Root" for an account at the root (or unknown without Organizations access) */
  ouPath: z.string(),
  mode: z.enum(['enforce', 'report']),
  /** where the mode came from: the configuration, an accountOverrides entry (by ID or OU path), or the input */
  modeSource: z.string(),
  /** the account's admins (organization.adminsTag), who get that account's email; [] for none */
  adminEmails: z.array(z.string()),
  /** where the account's files are: runs/<date>/<organization execution>/accounts/<id>/ */
  prefix: z.string(),
});
export type AccountTarget = z.infer<typeof accountTargetSchema>;

/** The organization run an account execution belongs to. */
export const organizationRunSchema = z.object({
  executionId: z.string(),
  executionName: z.string(),
  startedAt: z.iso.datetime({ offset: true }),
  /** runs/<date>/<organization execution>/ */
  prefix: z.string(),
  version: z.string(),
  /** every user of every account is read today ({"fullScan": true}) */
  fullScan: z.boolean(),
});
export type OrganizationRun = z.infer<typeof organizationRunSchema>;

/** The organization breaker's verdict, as the act executions get it. */
export const organizationLimitSchema = z.object({
  plannedActions: z.number().int().min(0),
  maxActionsPerOrgRun: z.number().int().min(0),
  limitExceeded: z.boolean(),
  accountsToAct: z.number().int().min(0),
});
export type OrganizationLimit = z.infer<typeof organizationLimitSchema>;

/**
 * The account part of a run descriptor (run.ts): set in an organization's account executions only.
 * Small and fixed in size; it travels in every state.
 */
export const runAccountSchema = z.object({
  accountId: z.string(),
  name: z.string(),
  ouPath: z.string(),
  adminEmails: z.array(z.string()),
  organizationExecutionId: z.string(),
  organizationExecutionName: z.string(),
});
export type RunAccount = z.infer<typeof runAccountSchema>;

/** The partition of an ARN (arn:<partition>:...), "aws" when it is not an ARN. */
export function partitionOf(arn: string): string {
  return /^arn:([\w-]+):/.exec(arn)?.[1] ?? 'aws';
}

/**
 * An STS role session name (2-64 of [\w+=,.@-], API_AssumeRole): the function and the execution,
 * so that the member account's CloudTrail names the run that acted.
 */
export function roleSessionName(functionName: string, executionName: string): string {
  const name = `keysweep-${functionName}-${executionName}`.replace(/[^\w+=,.@-]/g, '-');
  return name.slice(0, 64);
}

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** The error a sweep fails with when it cannot enter its account: the member role could not be assumed. */
export class AccountUnreachableError extends Error {
  override name = 'AccountUnreachable';
}

/**
 * Assumes the member role in `accountId` once and returns the session's credentials. Any refusal
 * (AccessDenied: the role is missing, its trust or an SCP denies the hub, the account is suspended)
 * becomes AccountUnreachableError naming STS's error: STS answers all of those alike.
 */
export async function assumeMemberRole(
  sts: STSClient,
  org: Pick<OrganizationConfig, 'memberRoleName'>,
  accountId: string,
  sessionName: string,
  partition: string,
): Promise<SessionCredentials> {
  return assumeRole(sts, memberRoleArn(org, accountId, partition), accountId, sessionName);
}

/**
 * sts:AssumeRole once; a refusal is AccountUnreachableError naming STS's error. With `policy`, an
 * inline session policy narrows the session: "the resulting session's permissions are the
 * intersection of the role's identity-based policy and the session policies" (STS API reference,
 * AssumeRole, Policy).
 */
export async function assumeRole(
  sts: STSClient,
  roleArn: string,
  accountId: string,
  sessionName: string,
  policy?: string,
): Promise<SessionCredentials> {
  let out;
  try {
    out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        ...(policy === undefined ? {} : { Policy: policy }),
      }),
    );
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new AccountUnreachableError(
      `Account ${accountId} could not be reached: sts:AssumeRole on ${roleArn} failed (${why})`,
    );
  }
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) {
    throw new AccountUnreachableError(
      `Account ${accountId}: sts:AssumeRole on ${roleArn} returned no credentials`,
    );
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
    ...(c.Expiration ? { expiration: c.Expiration } : {}),
  };
}
