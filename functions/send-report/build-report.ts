/**
 * Merges the decisions of every batch with what the act step did to each planned change.
 * Pure: the caller reads the files.
 */
import { emptyActionCounts, type DecisionsFile, type KeyResult, type Plan } from '../shared/batch-files';
import { policyOf, type KeysweepConfig } from '../shared/config';
import { maskAccessKeyId } from '../shared/masking';
import { isChange } from '../shared/policy';
import type { OrganizationLimit } from '../shared/organization';
import { consoleLinkOf, type Run } from '../shared/run';

export { consoleLinkOf } from '../shared/run';
import { disabledNotifications } from './notify-owners';
import {
  RESULTS,
  type Outcome,
  type Report,
  type ReportEntry,
  type Result,
  type ResultCounts,
} from './report-model';

export interface SweepError {
  Error?: string;
  Cause?: string;
}

export interface ReportInputs {
  run: Run;
  /** absent when the sweep stopped before the plan was made */
  plan: Plan | null;
  decisions: DecisionsFile[];
  /** results of the act step, by "user/keyId" */
  results: Map<string, KeyResult>;
  sweepError: SweepError | null;
  config: KeysweepConfig;
  finishedAt: Date;
  /** an organization run's act phase: the organization breaker's verdict (its trip holds every account) */
  organizationLimit?: OrganizationLimit | null;
}

export function resultKey(userName: string, accessKeyId: string): string {
  return `${userName}/${accessKeyId}`;
}

/** The message inside a Step Functions error cause (Lambda causes are JSON with errorMessage). */
export function describeError(error: { Error?: string; Cause?: string }): string {
  let cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; errorType?: unknown };
    if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // a plain-text cause
  }
  return [error.Error, cause].filter((part) => part).join(': ') || 'unknown error';
}

/** A failure recorded by deactivate-key carries its message; one caught by the ASL only the error name. */
function failureText(error: string | undefined): string {
  if (error === undefined || error === '') return 'unknown error';
  if (/^[\w.]+$/.test(error)) {
    return `${error} (the function failed; the DeactivateKey step of this execution shows the cause)`;
  }
  return error;
}

function resultOf(
  action: ReportEntry['action'],
  acted: KeyResult | undefined,
  inputs: ReportInputs,
): Pick<ReportEntry, 'result' | 'detail' | 'error'> {
  if (!isChange(action)) return { result: 'n/a', detail: null, error: null };
  if (inputs.run.mode === 'report')
    return { result: 'dry-run', detail: 'report mode: nothing changed', error: null };
  if (inputs.plan === null) {
    return { result: 'skipped', detail: 'not done: the sweep stopped before acting', error: null };
  }
  if (inputs.organizationLimit?.limitExceeded) {
    return {
      result: 'skipped',
      detail: "not done: the organization's action limit was exceeded",
      error: null,
    };
  }
  if (inputs.plan.limitExceeded) {
    return { result: 'skipped', detail: 'not done: the action limit was exceeded', error: null };
  }
  if (acted === undefined) {
    return {
      result: 'failed',
      detail: null,
      error: 'no result was recorded for this key (its batch did not finish); check the key by hand',
    };
  }
  if (acted.result === 'failed') {
    return {
      result: 'failed',
      detail: null,
      error: failureText(acted.error),
    };
  }
  return { result: acted.result, detail: acted.detail ?? null, error: null };
}

function outcomeOf(
  inputs: ReportInputs,
  counts: ResultCounts,
  planned: number,
): { outcome: Outcome; cause: string } {
  if (inputs.sweepError !== null) {
    return {
      outcome: 'sweep-failed',
      cause: `The sweep stopped early: ${describeError(inputs.sweepError)}. Keys not reached were not examined; the email lists what was done.`,
    };
  }
  const org = inputs.organizationLimit;
  if (org?.limitExceeded) {
    return {
      outcome: 'action-limit-exceeded',
      cause:
        `${org.plannedActions} deactivations and deletions were planned across the organization, more than ` +
        `maxActionsPerOrgRun (${org.maxActionsPerOrgRun}); nothing was changed in any account (this account planned ` +
        `${planned}, within its own limit). Review the organization summary, then raise maxActionsPerOrgRun in cdk.json ` +
        '(context "keysweep", organization) and redeploy.',
    };
  }
  if (inputs.plan?.limitExceeded) {
    return {
      outcome: 'action-limit-exceeded',
      cause:
        `${planned} deactivations and deletions were planned, more than maxActionsPerRun (${inputs.plan.maxActionsPerRun}); ` +
        'nothing was changed. Review the planned actions in the email or report.json, then raise maxActionsPerRun ' +
        'in cdk.json (context "keysweep") and redeploy, or start one run with a higher limit in a test account.',
    };
  }
  if (counts.failed > 0) {
    return {
      outcome: 'keys-failed',
      cause: `${counts.failed} of ${planned} key actions failed; the email and report.json list each with its reason.`,
    };
  }
  return { outcome: 'ok', cause: '' };
}

export function buildReport(inputs: ReportInputs): Report {
  const { run, config } = inputs;
  const entries: ReportEntry[] = inputs.decisions
    .flatMap((file) => file.keys)
    .map((key) => ({
      userName: key.userName,
      accessKeyId: key.accessKeyId,
      maskedAccessKeyId: maskAccessKeyId(key.accessKeyId),
      status: key.status,
      createDate: key.createDate,
      ageDays: key.ageDays,
      lastUsedDate: key.lastUsedDate,
      lastUsedSource: key.lastUsedSource,
      action: key.action,
      rule: key.rule,
      reason: key.reason,
      ...resultOf(key.action, inputs.results.get(resultKey(key.userName, key.accessKeyId)), inputs),
      deactivationDate: key.deactivationDate,
      deletionDate: key.deletionDate ?? null,
      inactiveSince: key.inactiveSince ?? null,
      exemption: key.exemption,
      ownerEmail: key.ownerEmail,
    }));
  entries.sort((a, b) => a.userName.localeCompare(b.userName) || a.createDate.localeCompare(b.createDate));

  const byAction = emptyActionCounts();
  const byResult = Object.fromEntries(RESULTS.map((r) => [r, 0])) as Record<Result, number>;
  for (const entry of entries) {
    byAction[entry.action]++;
    byResult[entry.result]++;
  }
  const planned = byAction.deactivate + byAction.delete;
  const { url, accountId: executionAccount } = consoleLinkOf(run.executionId);
  // In an organization the execution runs in the hub; the report is about the account swept.
  const accountId = run.account?.accountId ?? executionAccount;
  return {
    keysweepVersion: run.version,
    executionId: run.executionId,
    executionName: run.executionName,
    consoleUrl: url,
    accountId,
    startedAt: run.startedAt,
    finishedAt: inputs.finishedAt.toISOString(),
    mode: run.mode,
    modeSource: run.modeSource,
    policy: {
      ...policyOf(config),
      maxActionsPerRun: config.maxActionsPerRun,
      notifyOwners: config.notifyOwners,
      ownerEmailTag: config.ownerEmailTag,
    },
    discovery: run.discovery,
    ...outcomeOf(inputs, byResult, planned),
    plannedActions: planned,
    limitExceeded: inputs.plan?.limitExceeded ?? false,
    overLimit: inputs.plan?.overLimit ?? false,
    counts: { byAction, byResult },
    usersRead: inputs.decisions.reduce((sum, file) => sum + file.usersRead, 0),
    usersGone: inputs.decisions.flatMap((file) => file.usersGone).sort(),
    invalidExemptions: inputs.decisions.flatMap((file) => file.invalidExemptions),
    ownerNotifications: disabledNotifications(),
    deletionPaused: run.deletionPaused,
    sweepError: inputs.sweepError === null ? null : describeError(inputs.sweepError),
    ...(run.account ? { account: run.account } : {}),
    ...(inputs.organizationLimit ? { organizationLimit: inputs.organizationLimit } : {}),
    entries,
  };
}
