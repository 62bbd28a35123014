/**
 * Which accounts an organization run sweeps, and in which mode. Pure: list-accounts reads the
 * organization (or takes the configured list) and hands the accounts here.
 *
 * - `accounts: "ALL"`: every account the organization lists; `accounts: [ids]`: those only (setups
 *   without Organizations access: no OU paths, status or tags are known then).
 * - `organizationalUnits`: only accounts under one of them, recursively (by OU path or OU ID).
 * - `excludeAccounts`: never swept. SUSPENDED and PENDING_CLOSURE accounts are skipped too.
 * - `accountOverrides`: the most specific entry wins, the account ID over the deepest OU path; an
 *   execution input asking for report mode makes every account report mode (safer, never less).
 */
import { createHash } from 'node:crypto';
import type { AccountItem, SkippedAccount } from '../shared/account-files';
import type { Mode, OrganizationConfig } from '../shared/config';
import { OU_ID_PATTERN } from '../shared/config';
import type { AccountTarget, OrganizationRun } from '../shared/organization';
import { layout } from '../shared/report-layout';

/** An account as the organization lists it. */
export interface OrganizationAccount {
  accountId: string;
  name: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE ("unknown" when listed by ID) */
  status: string;
  /** "Root/Workloads/Prod" */
  ouPath: string;
  /** the OU IDs from the root down to the account's parent */
  ouIds: string[];
  tags: Readonly<Record<string, string>>;
}

export interface Selection {
  targets: AccountTarget[];
  skipped: SkippedAccount[];
}

/** Whether `ouPath` is `under` or below it. */
function isUnder(ouPath: string, under: string): boolean {
  return ouPath === under || ouPath.startsWith(`${under}/`);
}

/** The mode an account runs in, and which setting decided it. */
export function modeOf(
  account: Pick<OrganizationAccount, 'accountId' | 'ouPath'>,
  org: Pick<OrganizationConfig, 'accountOverrides'>,
  configured: Mode,
  runMode: { mode: Mode; modeSource: 'config' | 'input' },
): { mode: Mode; modeSource: string } {
  let mode = configured;
  let modeSource = 'config';
  const byId = org.accountOverrides[account.accountId];
  if (byId) {
    mode = byId.mode;
    modeSource = `accountOverrides[${account.accountId}]`;
  } else {
    const paths = Object.keys(org.accountOverrides)
      .filter((key) => key.startsWith('Root') && isUnder(account.ouPath, key))
      .sort((a, b) => b.split('/').length - a.split('/').length);
    const deepest = paths[0];
    const override = deepest === undefined ? undefined : org.accountOverrides[deepest];
    if (deepest !== undefined && override) {
      mode = override.mode;
      modeSource = `accountOverrides[${deepest}]`;
    }
  }
  if (runMode.modeSource === 'input' && runMode.mode === 'report')
    return { mode: 'report', modeSource: 'input' };
  return { mode, modeSource };
}

/** Addresses in an account tag: separated by spaces, commas or semicolons; anything else dropped. */
export function addressesIn(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(/[\s,;]+/).filter((part) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(part)))];
}

const skipReason: Record<string, SkippedAccount['why']> = {
  SUSPENDED: 'suspended',
  PENDING_CLOSURE: 'pending-closure',
};

export function selectAccounts(
  accounts: readonly OrganizationAccount[],
  org: OrganizationConfig,
  configured: Mode,
  runMode: { mode: Mode; modeSource: 'config' | 'input' },
  organizationPrefix: string,
): Selection {
  const targets: AccountTarget[] = [];
  const skipped: SkippedAccount[] = [];
  const excluded = new Set(org.excludeAccounts);
  const skip = (a: OrganizationAccount, why: SkippedAccount['why']) =>
    skipped.push({ accountId: a.accountId, name: a.name, ouPath: a.ouPath, status: a.status, why });
  for (const a of [...accounts].sort((x, y) => x.accountId.localeCompare(y.accountId))) {
    const inactive = skipReason[a.status];
    if (excluded.has(a.accountId)) skip(a, 'excluded');
    else if (inactive) skip(a, inactive);
    else if (
      org.organizationalUnits.length > 0 &&
      !org.organizationalUnits.some((ou) =>
        OU_ID_PATTERN.test(ou) ? a.ouIds.includes(ou) : isUnder(a.ouPath, ou),
      )
    )
      skip(a, 'outside-the-organizational-units');
    else {
      targets.push({
        accountId: a.accountId,
        name: a.name,
        ouPath: a.ouPath,
        ...modeOf(a, org, configured, runMode),
        adminEmails: org.adminsTag === null ? [] : addressesIn(a.tags[org.adminsTag]),
        prefix: layout.accountPrefix(organizationPrefix, a.accountId),
      });
    }
  }
  return { targets, skipped };
}

/**
 * An account execution's name: unique per state machine for 90 days, at most 80 characters of
 * letters, digits, - and _ (Step Functions API, StartExecution `name`). The organization execution's
 * name makes it unique; a long one is cut and a hash of it keeps it unique.
 */
export function accountExecutionName(
  accountId: string,
  phase: 'plan' | 'act',
  organizationExecution: string,
): string {
  const safe = organizationExecution.replace(/[^\w-]/g, '-');
  const name = `${accountId}-${phase}-${safe}`;
  if (name.length <= 80) return name;
  const hash = createHash('sha256').update(organizationExecution).digest('hex').slice(0, 12);
  return `${accountId}-${phase}-${safe.slice(0, 80 - accountId.length - phase.length - 15)}-${hash}`;
}

/** The item each account's executions are started with. */
export function accountItemOf(target: AccountTarget, organization: OrganizationRun): AccountItem {
  return {
    target,
    planExecutionName: accountExecutionName(target.accountId, 'plan', organization.executionName),
    actExecutionName: accountExecutionName(target.accountId, 'act', organization.executionName),
    planKey: layout.plan(target.prefix),
  };
}
