/** report.json: one entry per access key seen, plus the run, the policy and the counts. */
import type { ActionCounts, KeyRecord } from '../shared/batch-files';
import type { KeysweepConfig, Mode, Policy } from '../shared/config';
import type { OrganizationLimit, RunAccount } from '../shared/organization';
import type { Run } from '../shared/run';
import type { ExposuresSinceLastRun } from './exposures-since';
import type { OwnerNotifications } from './notify-owners';

export type Result = 'done' | 'dry-run' | 'skipped' | 'failed' | 'n/a';
export const RESULTS: readonly Result[] = ['done', 'dry-run', 'skipped', 'failed', 'n/a'];
export type ResultCounts = Record<Result, number>;

export type Outcome = 'ok' | 'keys-failed' | 'action-limit-exceeded' | 'sweep-failed';

export interface ReportEntry {
  userName: string;
  /** full: report.json stays in the account */
  accessKeyId: string;
  maskedAccessKeyId: string;
  /** status before the run */
  status: KeyRecord['status'];
  createDate: string;
  ageDays: number;
  lastUsedDate: string | null;
  lastUsedSource: KeyRecord['lastUsedSource'];
  action: KeyRecord['action'];
  rule: KeyRecord['rule'];
  reason: string;
  result: Result;
  /** what the act step found or did, e.g. "already inactive" */
  detail: string | null;
  error: string | null;
  deactivationDate: string | null;
  /** for a warning before a deletion (rule 'delete'): the day the key will be deleted */
  deletionDate: string | null;
  /** for an Inactive key: since when keysweep counts it inactive (the delete rule counts from there) */
  inactiveSince: string | null;
  exemption: KeyRecord['exemption'];
  ownerEmail: string | null;
}

export interface Report {
  keysweepVersion: string;
  executionId: string;
  executionName: string;
  consoleUrl: string | null;
  accountId: string | null;
  startedAt: string;
  finishedAt: string;
  mode: Mode;
  modeSource: Run['modeSource'];
  policy: Policy & Pick<KeysweepConfig, 'maxActionsPerRun' | 'notifyOwners' | 'ownerEmailTag'>;
  discovery: Run['discovery'];
  outcome: Outcome;
  /** why the run failed, in words; empty when it did not */
  cause: string;
  plannedActions: number;
  limitExceeded: boolean;
  /** planned changes exceed maxActionsPerRun, whatever the mode */
  overLimit: boolean;
  counts: { byAction: ActionCounts; byResult: ResultCounts };
  usersRead: number;
  usersGone: string[];
  invalidExemptions: { userName: string; value: string }[];
  /** what happened to the owner emails (notifyOwners) */
  ownerNotifications: OwnerNotifications;
  /** why deletion was paused this run (e.g. the key index is missing), or null when it was not */
  deletionPaused: string | null;
  /** the error that stopped the sweep early, if any */
  sweepError: string | null;
  /** in an organization: the account swept, and the organization breaker's verdict (act phase) */
  account?: RunAccount;
  organizationLimit?: OrganizationLimit;
  /**
   * keys AWS Health reported exposed that the exposure path acted on since the last run (absent in a
   * report written before the exposure path)
   */
  exposures?: ExposuresSinceLastRun;
  entries: ReportEntry[];
}
