/**
 * Which users could have a key that needs action today, by the credential report and the key
 * index. Pure. The report only narrows the search: a user is read if any of its Active key slots
 * might be old or unused enough to warn or deactivate, or is a key the key index cannot account for
 * (created since the last run, or re-activated: last_rotated moves on activation, so an old key can
 * look young). Inactive keys are judged by the key index alone, never by the report: deletion counts
 * the days keysweep has seen a key inactive, which only the index knows, and AWS documents
 * last_rotated as N/A for a user without an active key (IAM User Guide, "Getting credential
 * reports"), so the report may say nothing of an inactive key. A user whose indexed inactive key is
 * within the warning window of its deletion is read. The report cannot vouch for a user it has no
 * readable row of (created since the report, or its row was unreadable): every such user that
 * ListUsers names is read.
 */
import type { Policy } from '../shared/config';
import { ageInDays } from '../shared/days';
import type { KeyIndex } from '../shared/key-index';
import type { CredentialReportRow } from './credential-report-csv';

export type CandidateReason = 'may-need-action' | 'unknown-key' | 'deactivated-by-keysweep' | 'no-report-row';

export interface Candidates {
  userNames: string[];
  reasons: Record<CandidateReason, number>;
}

const second = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function whyRead(
  row: CredentialReportRow,
  index: KeyIndex,
  deactivated: ReadonlySet<string>,
  policy: Policy,
  now: Date,
) {
  if (deactivated.has(row.userName)) return 'deactivated-by-keysweep';
  // A slot is accounted for when its last_rotated is a known key's creation, or the re-activation
  // of a known key seen in an earlier report; either way the key's creation date is known.
  const creationOf = new Map<number, string>();
  for (const key of index.users[row.userName]?.keys ?? []) {
    creationOf.set(second(key.createDate), key.createDate);
    if (key.lastRotated) creationOf.set(second(key.lastRotated), key.createDate);
  }
  const warnFrom = (limit: number) => limit - policy.warnBeforeDays;
  for (const slot of row.keys) {
    if (slot.lastRotated === null) continue;
    const createDate = creationOf.get(second(slot.lastRotated));
    if (createDate === undefined) return 'unknown-key';
    // An inactive slot says nothing here: the delete rule counts from the index (below).
    if (!slot.active) continue;
    // Ages count from creation: a re-activated old key is still old.
    if (ageInDays(createDate, now) >= warnFrom(policy.deactivateAfterDays)) return 'may-need-action';
    const unused = ageInDays(slot.lastUsedDate ?? createDate, now);
    if (policy.unusedAfterDays !== null && unused >= warnFrom(policy.unusedAfterDays))
      return 'may-need-action';
  }
  return deletionComing(index.users[row.userName]?.keys ?? [], policy, now) ? 'may-need-action' : null;
}

/** Whether an inactive key of the user, by the index, is within the warning window of its deletion (or past it). */
function deletionComing(keys: KeyIndex['users'][string]['keys'], policy: Policy, now: Date): boolean {
  const limit = policy.deleteAfterDays;
  if (limit === null) return false;
  return keys.some(
    (key) =>
      key.status === 'Inactive' &&
      key.inactiveSince !== undefined &&
      ageInDays(key.inactiveSince, now) >= limit - policy.warnBeforeDays,
  );
}

/**
 * The users to read: the report's rows that call for it (in report order), then every user of
 * `allUserNames` (ListUsers) without a readable row (in that order). A row whose user ListUsers
 * does not name (deleted since the report) is still judged: reading a user that is gone is cheap
 * and takes it out of the key index.
 */
export function selectCandidates(
  rows: readonly CredentialReportRow[],
  allUserNames: readonly string[],
  index: KeyIndex,
  policy: Policy,
  now: Date,
): Candidates {
  const deactivated = new Set(index.deactivatedByKeysweep);
  const reasons: Record<CandidateReason, number> = {
    'may-need-action': 0,
    'unknown-key': 0,
    'deactivated-by-keysweep': 0,
    'no-report-row': 0,
  };
  const userNames: string[] = [];
  for (const row of rows) {
    const reason = whyRead(row, index, deactivated, policy, now);
    if (reason === null) continue;
    reasons[reason]++;
    userNames.push(row.userName);
  }
  const inReport = new Set(rows.map((row) => row.userName));
  for (const userName of new Set(allUserNames)) {
    if (inReport.has(userName)) continue;
    reasons['no-report-row']++;
    userNames.push(userName);
  }
  return { userNames, reasons };
}
