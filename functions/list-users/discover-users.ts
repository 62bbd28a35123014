/**
 * Which users a run reads. Every user on a full-scan day (fullScanOn, or when asked, or when
 * keysweep has no key index yet, or the credential report cannot be had, whatever the error);
 * otherwise the credential report's candidates and every user it has no readable row of. The
 * report is fetched either way: its last-use dates spare a GetAccessKeyLastUsed call per key.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ReportKeySlot } from './credential-report-csv';
import type { IndexedInactiveKey } from '../shared/batch-files';
import { policyOf, WEEKDAYS, type KeysweepConfig } from '../shared/config';
import { inactiveSightingsOf, readKeyIndex, type KeyIndex } from '../shared/key-index';
import type { RetryOptions } from '../shared/retry';
import { listAllUserNames } from './all-users';
import { selectCandidates, type Candidates } from './candidates';
import { fetchCredentialReport, type CredentialReport, type FetchOptions } from './credential-report';

export interface DiscoveredUser {
  userName: string;
  /** the user's key slots in the credential report, when it had the user */
  reportKeys?: ReportKeySlot[];
  /** the user's inactive keys in the key index, when it has any */
  inactiveKeys?: IndexedInactiveKey[];
}

export interface Discovery {
  source: 'full-scan' | 'credential-report';
  reason: string;
  usersInAccount: number;
  users: DiscoveredUser[];
  credentialReportGeneratedAt: string | null;
  /** why this run deletes nothing although deleteAfterDays is set, or null */
  deletionPaused: string | null;
}

export interface DiscoverDeps {
  iam: IAMClient;
  s3: S3Client;
  bucket: string;
  config: KeysweepConfig;
  retry: RetryOptions;
  now: Date;
  forceFullScan: boolean;
  report: Omit<FetchOptions, 'retry'>;
  /** where the account's key index is (state/key-index.json; per account in an organization) */
  keyIndexKey?: string;
}

function fullScanReason(deps: DiscoverDeps): string | null {
  if (deps.forceFullScan) return 'full scan requested by the execution input';
  if (deps.config.fullScanOn === 'ALWAYS') return 'fullScanOn is ALWAYS';
  if (WEEKDAYS[deps.now.getUTCDay()] === deps.config.fullScanOn)
    return `weekly full scan (fullScanOn ${deps.config.fullScanOn})`;
  return null;
}

/** The fast path's reason: why each user is read, and what the report could not say. */
function candidatesReason(report: CredentialReport, reasons: Candidates['reasons']): string {
  const unreadable = report.unreadable.length;
  const first = report.unreadable[0];
  return (
    `credential report of ${report.generatedAt}: ${reasons['may-need-action']} users may need action, ` +
    `${reasons['unknown-key']} have a key created or re-activated since the last run, ` +
    `${reasons['deactivated-by-keysweep']} have a key keysweep deactivated, ` +
    `${reasons['no-report-row']} have no readable row in it (${unreadable} rows unreadable` +
    `${first ? `, the first on line ${first.line}: ${first.problem}` : ''})`
  );
}

/**
 * Deletion counts the days keysweep has seen a key inactive, which only the key index knows:
 * without a readable one, nothing is deleted (and the keys count as first seen inactive today).
 */
export function deletionPausedBy(index: KeyIndex | string, config: KeysweepConfig): string | null {
  if (config.deleteAfterDays === null || typeof index !== 'string') return null;
  return (
    `${index}, so it cannot tell how long inactive keys have been inactive: nothing is deleted ` +
    'this run, and every inactive key counts as first seen inactive today'
  );
}

export async function discoverUsers(deps: DiscoverDeps): Promise<Discovery> {
  const fetched = await fetchCredentialReport(deps.iam, { ...deps.report, retry: deps.retry });
  const report = 'report' in fetched ? fetched.report : null;
  const slotsByUser = new Map((report?.rows ?? []).map((row) => [row.userName, row.keys]));
  const index = await readKeyIndex(deps.s3, deps.bucket, deps.keyIndexKey);
  const withHints = (userName: string): DiscoveredUser => {
    const user: DiscoveredUser = { userName };
    const reportKeys = slotsByUser.get(userName);
    if (reportKeys) user.reportKeys = reportKeys;
    const inactiveKeys = typeof index === 'string' ? [] : inactiveSightingsOf(index, userName);
    if (inactiveKeys.length > 0) user.inactiveKeys = inactiveKeys;
    return user;
  };
  const deletionPaused = deletionPausedBy(index, deps.config);

  // Every user, whichever the path: the report cannot vouch for a user it has no readable row of.
  // At most 5 ListUsers calls for IAM's 5,000 users (MaxItems 1,000; IAM may return fewer).
  const userNames = await listAllUserNames(deps.iam, deps.retry);
  const reason =
    fullScanReason(deps) ??
    (typeof index === 'string' ? index : null) ??
    ('unavailable' in fetched ? fetched.unavailable : null);
  if (reason !== null || report === null || typeof index === 'string') {
    return {
      source: 'full-scan',
      reason: reason ?? 'every user is read',
      usersInAccount: userNames.length,
      users: userNames.map(withHints),
      credentialReportGeneratedAt: report?.generatedAt ?? null,
      deletionPaused,
    };
  }
  const candidates = selectCandidates(report.rows, userNames, index, policyOf(deps.config), deps.now);
  return {
    source: 'credential-report',
    reason: candidatesReason(report, candidates.reasons),
    usersInAccount: userNames.length,
    users: candidates.userNames.map(withHints),
    credentialReportGeneratedAt: report.generatedAt,
    deletionPaused,
  };
}
