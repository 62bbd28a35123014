/**
 * Which users of the credential report could have a key that needs action today. Pure.
 * The report only narrows the search: a user is read if any of its key slots might be old enough
 * to warn, deactivate or delete, or is a key the key index cannot account for (created since the
 * last run, or re-activated: last_rotated moves on activation, so an old key can look young).
 */
import type { Policy } from '../shared/config';
import { ageInDays } from '../shared/days';
import type { KeyIndex } from '../shared/key-index';
import type { CredentialReportRow } from './credential-report';

export type CandidateReason = 'may-need-action' | 'unknown-key' | 'deactivated-by-keysweep';

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
  const known = new Set((index.users[row.userName]?.keys ?? []).map((k) => second(k.createDate)));
  const warnFrom = (limit: number) => limit - policy.warnBeforeDays;
  for (const slot of row.keys) {
    if (slot.lastRotated === null) continue;
    if (!known.has(second(slot.lastRotated))) return 'unknown-key';
    // A known creation date: last_rotated is the key's true creation date.
    const age = ageInDays(slot.lastRotated, now);
    if (slot.active) {
      if (age >= warnFrom(policy.deactivateAfterDays)) return 'may-need-action';
      const unused = ageInDays(slot.lastUsedDate ?? slot.lastRotated, now);
      if (policy.unusedAfterDays !== null && unused >= warnFrom(policy.unusedAfterDays))
        return 'may-need-action';
    } else if (policy.deleteAfterDays !== null && age >= policy.deleteAfterDays) {
      return 'may-need-action';
    }
  }
  return null;
}

export function selectCandidates(
  rows: readonly CredentialReportRow[],
  index: KeyIndex,
  policy: Policy,
  now: Date,
): Candidates {
  const deactivated = new Set(index.deactivatedByKeysweep);
  const reasons: Record<CandidateReason, number> = {
    'may-need-action': 0,
    'unknown-key': 0,
    'deactivated-by-keysweep': 0,
  };
  const userNames: string[] = [];
  for (const row of rows) {
    const reason = whyRead(row, index, deactivated, policy, now);
    if (reason === null) continue;
    reasons[reason]++;
    userNames.push(row.userName);
  }
  return { userNames, reasons };
}
