/**
 * The organization summary (report.json of the organization run): what each account's executions
 * came to, the accounts that could not be reached and why, the accounts left out, and the totals.
 * Pure: the handler reads the files and hands them here.
 */
import type { AccountRecord, SkippedAccount } from '../shared/account-files';
import { emptyActionCounts, type ActionCounts } from '../shared/batch-files';
import type { OrganizationLimit, OrganizationRun } from '../shared/organization';
import { consoleLinkOf } from '../shared/run';
import { RESULTS, type ResultCounts } from '../send-report/report-model';

export type AccountStatus = 'ok' | 'unreachable' | 'failed' | 'held' | 'not-run';

export interface AccountLine {
  accountId: string;
  name: string;
  ouPath: string;
  mode: string;
  modeSource: string;
  status: AccountStatus;
  /** the account report's outcome (ok, keys-failed, action-limit-exceeded, sweep-failed), or null */
  outcome: string | null;
  /** why the account is not ok, in words; empty when it is */
  reason: string;
  counts: { byAction: ActionCounts; byResult: ResultCounts } | null;
  /** deactivations plus deletions, done or planned: the keys out of policy */
  outOfPolicy: number;
  reportKey: string | null;
  executions: string[];
  adminsEmailed: number;
}

export type OrganizationOutcome = 'ok' | 'accounts-failed' | 'action-limit-exceeded' | 'sweep-failed';

export interface OrganizationReport {
  keysweepVersion: string;
  executionId: string;
  executionName: string;
  consoleUrl: string | null;
  hubAccountId: string | null;
  organizationId: string;
  startedAt: string;
  finishedAt: string;
  outcome: OrganizationOutcome;
  cause: string;
  decision: OrganizationLimit | null;
  totals: {
    accountsSwept: number;
    ok: number;
    unreachable: number;
    failed: number;
    held: number;
    notRun: number;
    skipped: number;
    byAction: ActionCounts;
    byResult: ResultCounts;
  };
  accounts: AccountLine[];
  skipped: SkippedAccount[];
  /** the map run that failed, if the organization run stopped early */
  sweepError: string | null;
}

/** What the handler found in the account's files, for an account whose execution failed. */
export interface AccountFiles {
  unreachable?: { reason: string };
  summary?: { outcome: string; cause: string; reportKey: string; counts: unknown };
}

const emptyResults = (): ResultCounts => Object.fromEntries(RESULTS.map((r) => [r, 0])) as ResultCounts;

function countsOf(raw: unknown): { byAction: ActionCounts; byResult: ResultCounts } | null {
  if (raw === null || typeof raw !== 'object') return null;
  const c = raw as { byAction?: unknown; byResult?: unknown };
  if (c.byAction && c.byResult) return c as { byAction: ActionCounts; byResult: ResultCounts };
  // a plan's counts (actions only): nothing done yet
  if ('deactivate' in c)
    return { byAction: { ...emptyActionCounts(), ...(c as ActionCounts) }, byResult: emptyResults() };
  return null;
}

export interface OrganizationReportInputs {
  organization: OrganizationRun;
  organizationId: string;
  plans: readonly AccountRecord[];
  /** act records by account ID */
  acted: ReadonlyMap<string, AccountRecord>;
  files: ReadonlyMap<string, AccountFiles>;
  skipped: readonly SkippedAccount[];
  decision: OrganizationLimit | null;
  sweepError: string | null;
  finishedAt: Date;
}

function lineOf(plan: AccountRecord, inputs: OrganizationReportInputs): AccountLine {
  const { target } = plan;
  const files = inputs.files.get(target.accountId) ?? {};
  const act = inputs.acted.get(target.accountId);
  const executions = [plan.planExecutionName];
  let status: AccountStatus = 'ok';
  let reason = '';
  let record: AccountRecord | undefined = plan;
  if (plan.error !== undefined) {
    if (files.unreachable) {
      status = 'unreachable';
      reason = files.unreachable.reason;
    } else {
      status = 'failed';
      reason =
        files.summary?.cause ||
        `the execution ${plan.planExecutionName} failed (${plan.error}) before its report: open it in the console`;
    }
    record = undefined;
  } else if (plan.result?.report.outcome === 'planned') {
    executions.push(plan.actExecutionName);
    if (act === undefined) {
      status = 'not-run';
      reason =
        inputs.decision === null
          ? 'the organization run stopped before acting'
          : 'its act execution did not run (the map run failed)';
    } else if (act.error !== undefined) {
      const held =
        inputs.decision?.limitExceeded === true && files.summary?.outcome === 'action-limit-exceeded';
      status = held ? 'held' : 'failed';
      reason =
        files.summary?.cause ||
        `the execution ${plan.actExecutionName} failed (${act.error}) before its report: open it in the console`;
    }
    record = act ?? plan;
  }
  const report = record?.result?.report;
  const counts = countsOf(report?.counts ?? files.summary?.counts);
  return {
    accountId: target.accountId,
    name: target.name,
    ouPath: target.ouPath,
    mode: target.mode,
    modeSource: target.modeSource,
    status,
    outcome: report?.outcome === 'planned' ? null : (report?.outcome ?? files.summary?.outcome ?? null),
    reason,
    counts,
    outOfPolicy: counts ? counts.byAction.deactivate + counts.byAction.delete : 0,
    reportKey: report?.outcome === 'planned' ? null : (report?.reportKey ?? files.summary?.reportKey ?? null),
    executions,
    adminsEmailed: status === 'unreachable' ? 0 : target.adminEmails.length,
  };
}

export function buildOrganizationReport(inputs: OrganizationReportInputs): OrganizationReport {
  const accounts = inputs.plans
    .map((plan) => lineOf(plan, inputs))
    .sort((a, b) => a.accountId.localeCompare(b.accountId));
  const count = (status: AccountStatus) => accounts.filter((a) => a.status === status).length;
  const byAction = emptyActionCounts();
  const byResult = emptyResults();
  for (const a of accounts) {
    if (!a.counts) continue;
    for (const k of Object.keys(byAction) as (keyof ActionCounts)[]) byAction[k] += a.counts.byAction[k] ?? 0;
    for (const r of RESULTS) byResult[r] += a.counts.byResult[r] ?? 0;
  }
  const totals = {
    accountsSwept: accounts.length,
    ok: count('ok'),
    unreachable: count('unreachable'),
    failed: count('failed'),
    held: count('held'),
    notRun: count('not-run'),
    skipped: inputs.skipped.length,
    byAction,
    byResult,
  };
  let outcome: OrganizationOutcome = 'ok';
  let cause = '';
  if (inputs.sweepError !== null) {
    outcome = 'sweep-failed';
    cause = `The organization run stopped early: ${inputs.sweepError}. Accounts not reached were not swept; the email lists what was done.`;
  } else if (inputs.decision?.limitExceeded) {
    outcome = 'action-limit-exceeded';
    cause =
      `${inputs.decision.plannedActions} deactivations and deletions were planned across the organization, more than ` +
      `maxActionsPerOrgRun (${inputs.decision.maxActionsPerOrgRun}); no account changed anything. Review the ` +
      'accounts with the most keys out of policy, then raise maxActionsPerOrgRun (cdk.json, context "keysweep", organization) and redeploy.';
  } else if (totals.unreachable + totals.failed + totals.notRun > 0) {
    outcome = 'accounts-failed';
    cause =
      `${totals.unreachable} accounts could not be reached and ${totals.failed + totals.notRun} failed, of ` +
      `${totals.accountsSwept}; the other accounts were swept. The email lists each with its reason.`;
  }
  const { url, accountId } = consoleLinkOf(inputs.organization.executionId);
  return {
    keysweepVersion: inputs.organization.version,
    executionId: inputs.organization.executionId,
    executionName: inputs.organization.executionName,
    consoleUrl: url,
    hubAccountId: accountId,
    organizationId: inputs.organizationId,
    startedAt: inputs.organization.startedAt,
    finishedAt: inputs.finishedAt.toISOString(),
    outcome,
    cause,
    decision: inputs.decision,
    totals,
    accounts,
    skipped: [...inputs.skipped],
    sweepError: inputs.sweepError,
  };
}
