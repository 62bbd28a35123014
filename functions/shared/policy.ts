/**
 * The key policy, pure: plain data in, decisions out. No SDK call, no clock, no environment.
 * Precedence when several rules hit one key: exempt > delete > deactivate > warn.
 *
 * Deletion counts the days keysweep has seen a key Inactive, never its age: the count starts at
 * keysweep's own deactivation of the key, or at the first run that saw it inactive, and starts over
 * when the key was re-activated since (it was used, or re-activated, after that sighting). What the
 * key index remembers comes in as plain data (InactiveSighting); without it a key is first seen now.
 */
import type { Policy } from './config';
import { addDays, ageInDays, isoDay } from './days';

export type KeyStatus = 'Active' | 'Inactive';
export type Action = 'deactivate' | 'delete' | 'warn' | 'exempt' | 'none';
export const ACTIONS: readonly Action[] = ['deactivate', 'delete', 'warn', 'exempt', 'none'];

/** What IAM says about one access key. Dates are ISO 8601 strings. */
export interface KeyFacts {
  accessKeyId: string;
  status: KeyStatus;
  createDate: string;
  /** null when the key was never used */
  lastUsedDate: string | null;
}

/** What IAM says about the key's owner. */
export interface UserFacts {
  userName: string;
  tags: Readonly<Record<string, string>>;
  groups: readonly string[];
}

export interface Exemption {
  source: 'tag' | 'group';
  /** YYYY-MM-DD (inclusive), or null when it does not end */
  until: string | null;
  /** in words, e.g. 'tag keysweep:exempt = 2026-12-31' or 'member of group break-glass' */
  description: string;
}

export interface UserExemption {
  exemption: Exemption | null;
  /** the value of the exempt tag when it is neither a valid date nor "always" */
  invalidTagValue: string | null;
}

/** Which rule produced the decision. */
export type Rule = 'age' | 'unused' | 'delete' | 'none';

export interface KeyDecision {
  action: Action;
  /** the rule that hit (for exempt: the rule the exemption overrode) */
  rule: Rule;
  /** human words: "created 2026-01-03, 329 days ago; limit 90" */
  reason: string;
  ageDays: number;
  /** days since last use (or since creation when never used) */
  unusedDays: number;
  /** for warn: the day (YYYY-MM-DD) the key will be deactivated if nothing changes */
  deactivationDate: string | null;
  /** for warn by the delete rule: the day (YYYY-MM-DD) the key will be deleted if nothing changes */
  deletionDate: string | null;
  exemption: Exemption | null;
}

/**
 * The longest a run lasts: the state machine's TimeoutSeconds (statemachine/key-sweep.asl.json,
 * 7200 s; test/workflow/asl-definition.test.ts checks that they agree). A run that first sees a key
 * inactive does so at some moment of it, not at its start: a use or a re-activation within this
 * much of the sighting's start may have come before the key was inactive, and proves nothing.
 */
export const RUN_MAX_MS = 2 * 3_600_000;

/** What the key index remembers of an inactive key: since when keysweep has seen it inactive. */
export interface InactiveSighting {
  /** the start of the run that first saw the key inactive, or that deactivated it; null: not known (an index written before keysweep counted) */
  inactiveSince: string | null;
  /** keysweep deactivated the key itself */
  deactivatedByKeysweep: boolean;
}

/** How long keysweep has seen an Inactive key inactive, as this run counts it. */
export interface Inactivity {
  /** when the count started: the first run that saw the key inactive (this run, if none before) */
  since: string;
  /** keysweep deactivated the key itself */
  byKeysweep: boolean;
  /** why the count started over this run (the key was re-activated since it was seen inactive), or null */
  restarted: string | null;
}

/**
 * Whether `event` (a use, a re-activation) came after the run that saw the key inactive at `since`.
 * AWS facts relied on: an Inactive key "cannot be used" (IAM API reference, UpdateAccessKey, Status),
 * so a use after the sighting means the key was active again in between; and the last-use date IAM
 * records is the first use of a 15-minute span (IAM User Guide, "Getting credential reports"), so it
 * may be earlier than the real last use, never later: it cannot make a key look used since when it
 * was not. How soon after a use IAM shows it is not documented; a use it has not shown yet is caught
 * by DeactivateKey's re-check only if it shows by then.
 */
export function isAfterSighting(event: string | null, since: string): boolean {
  return event !== null && Date.parse(event) > Date.parse(since) + RUN_MAX_MS;
}

/**
 * Since when this run counts an Inactive key as inactive: the index's sighting, unless the key was
 * used or re-activated after it (an inactive key cannot be used, so it was active again in
 * between: the count starts over now); no sighting (not in the index, or an index that did not
 * record it) counts from now, never from the key's age. `lastRotated` is the credential report's,
 * when the report showed one for the key; null for an Active key.
 */
export function inactivityOf(
  key: Pick<KeyFacts, 'status' | 'lastUsedDate'> & { lastRotated?: string | null },
  sighting: InactiveSighting | null,
  now: Date,
): Inactivity | null {
  if (key.status !== 'Inactive') return null;
  const byKeysweep = sighting?.deactivatedByKeysweep ?? false;
  const since = sighting?.inactiveSince ?? null;
  if (since === null) return { since: now.toISOString(), byKeysweep, restarted: null };
  const day = (iso: string) => iso.slice(0, 10);
  let restarted: string | null = null;
  if (isAfterSighting(key.lastUsedDate, since)) {
    restarted = `used ${day(key.lastUsedDate ?? '')}, after it was seen inactive on ${day(since)}`;
  } else if (isAfterSighting(key.lastRotated ?? null, since)) {
    restarted = `re-activated ${day(key.lastRotated ?? '')}, after it was seen inactive on ${day(since)}`;
  }
  return restarted === null
    ? { since, byKeysweep, restarted: null }
    : { since: now.toISOString(), byKeysweep, restarted };
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isValidDay(value: string): boolean {
  const match = DAY.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && isoDay(date) === value;
}

/** The exemption of a user, from the exempt tag or membership of an exempt group. */
export function exemptionOf(user: UserFacts, policy: Policy, now: Date): UserExemption {
  const today = isoDay(now);
  const candidates: Exemption[] = [];
  let invalidTagValue: string | null = null;

  const tagValue = user.tags[policy.exemptTag];
  if (tagValue !== undefined) {
    const value = tagValue.trim();
    if (value.toLowerCase() === 'always') {
      candidates.push({ source: 'tag', until: null, description: `tag ${policy.exemptTag} = always` });
    } else if (isValidDay(value)) {
      if (value >= today) {
        candidates.push({ source: 'tag', until: value, description: `tag ${policy.exemptTag} = ${value}` });
      }
    } else {
      invalidTagValue = tagValue;
    }
  }
  const group = policy.exemptGroups.find((g) => user.groups.includes(g));
  if (group !== undefined) {
    candidates.push({ source: 'group', until: null, description: `member of group ${group}` });
  }
  // The exemption that lasts longest wins: one without an end beats a date.
  candidates.sort((a, b) => (a.until === null ? -1 : b.until === null ? 1 : b.until.localeCompare(a.until)));
  return { exemption: candidates[0] ?? null, invalidTagValue };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

type Hit = Omit<KeyDecision, 'ageDays' | 'unusedDays' | 'exemption'>;

/** Since when keysweep has seen the key inactive, in words: "seen inactive since 2026-11-01 (27 days)". */
function seenInactive(inactivity: Inactivity, now: Date): { days: number; words: string } {
  const days = Math.max(0, ageInDays(inactivity.since, now));
  const who = inactivity.byKeysweep ? 'deactivated by keysweep' : 'seen inactive';
  const again = inactivity.restarted === null ? '' : `, counted again: ${inactivity.restarted}`;
  return { days, words: `${who} since ${inactivity.since.slice(0, 10)} (${plural(days, 'day')}${again})` };
}

/** The delete rule for an Inactive key, or null when it does not hit. */
function deleteHit(
  created: string,
  inactivity: Inactivity,
  policy: Policy,
  deletionPaused: string | null,
  now: Date,
): Hit | null {
  const limit = policy.deleteAfterDays;
  if (limit === null || deletionPaused !== null) return null;
  const { days, words: seen } = seenInactive(inactivity, now);
  if (days >= limit) {
    return {
      action: 'delete',
      rule: 'delete',
      reason: `inactive, ${created}; ${seen}; delete limit ${limit} days inactive`,
      deactivationDate: null,
      deletionDate: null,
    };
  }
  if (policy.warnBeforeDays > 0 && days >= limit - policy.warnBeforeDays) {
    const day = isoDay(addDays(inactivity.since, limit));
    return {
      action: 'warn',
      rule: 'delete',
      reason: `inactive, ${created}; ${seen}; will be deleted on or after ${day} (delete limit ${limit} days inactive)`,
      deactivationDate: null,
      deletionDate: day,
    };
  }
  return null;
}

/** The words for an Inactive key that no rule hits. */
function inactiveReason(
  created: string,
  inactivity: Inactivity,
  policy: Policy,
  deletionPaused: string | null,
  now: Date,
): string {
  const { words: seen } = seenInactive(inactivity, now);
  if (policy.deleteAfterDays === null) return `inactive, ${created}; ${seen}`;
  if (deletionPaused !== null) return `inactive, ${created}; ${seen}; deletion paused: ${deletionPaused}`;
  return `inactive, ${created}; ${seen}; delete limit ${policy.deleteAfterDays} days inactive`;
}

/** What the delete rule needs besides the key: how long it has been seen inactive, and whether this run may delete. */
export interface DeletionFacts {
  /** null for an Active key; for an Inactive key absent facts mean first seen inactive now */
  inactivity: Inactivity | null;
  /** why this run deletes nothing (the key index is missing or unreadable), or null */
  deletionPaused: string | null;
}

/**
 * Decides one key. Each key of a user is judged on its own. An Inactive key is deleted once
 * keysweep has seen it inactive for deleteAfterDays (`deletion`: from the key index), and warned
 * about warnBeforeDays before; without `deletion` it counts as first seen inactive now.
 */
export function decideKey(
  key: KeyFacts,
  user: UserExemption,
  policy: Policy,
  now: Date,
  deletion: DeletionFacts = { inactivity: null, deletionPaused: null },
): KeyDecision {
  // A key created after the run started (clock skew, eventual consistency) is 0 days old.
  const ageDays = Math.max(0, ageInDays(key.createDate, now));
  const lastActivity = key.lastUsedDate ?? key.createDate;
  const unusedDays = ageInDays(lastActivity, now);
  const created = `created ${key.createDate.slice(0, 10)}, ${plural(ageDays, 'day')} ago`;
  const used =
    key.lastUsedDate === null
      ? `never used (created ${plural(unusedDays, 'day')} ago)`
      : `last used ${key.lastUsedDate.slice(0, 10)}, ${plural(unusedDays, 'day')} ago`;
  const base = { ageDays, unusedDays, deactivationDate: null, deletionDate: null, exemption: null };
  const inactivity =
    key.status === 'Inactive'
      ? (deletion.inactivity ?? { since: now.toISOString(), byKeysweep: false, restarted: null })
      : null;

  let hit: Hit | null = null;
  if (inactivity !== null) {
    hit = deleteHit(created, inactivity, policy, deletion.deletionPaused, now);
  } else if (ageDays >= policy.deactivateAfterDays) {
    hit = {
      action: 'deactivate',
      rule: 'age',
      reason: `${created}; limit ${policy.deactivateAfterDays}`,
      deactivationDate: null,
      deletionDate: null,
    };
  } else if (policy.unusedAfterDays !== null && unusedDays >= policy.unusedAfterDays) {
    hit = {
      action: 'deactivate',
      rule: 'unused',
      reason: `${used}; unused limit ${policy.unusedAfterDays}`,
      deactivationDate: null,
      deletionDate: null,
    };
  } else if (policy.warnBeforeDays > 0) {
    const byAge = addDays(key.createDate, policy.deactivateAfterDays);
    const byUse = policy.unusedAfterDays === null ? null : addDays(lastActivity, policy.unusedAfterDays);
    const ageSoon = ageDays >= policy.deactivateAfterDays - policy.warnBeforeDays;
    const unusedSoon =
      policy.unusedAfterDays !== null && unusedDays >= policy.unusedAfterDays - policy.warnBeforeDays;
    // Warn about whichever deactivation comes first.
    if (unusedSoon && byUse !== null && (!ageSoon || byUse < byAge)) {
      const day = isoDay(byUse);
      hit = {
        action: 'warn',
        rule: 'unused',
        reason: `${used}; will be deactivated on or after ${day} unless used (unused limit ${policy.unusedAfterDays})`,
        deactivationDate: day,
        deletionDate: null,
      };
    } else if (ageSoon) {
      const day = isoDay(byAge);
      hit = {
        action: 'warn',
        rule: 'age',
        reason: `${created}; will be deactivated on or after ${day} (limit ${policy.deactivateAfterDays})`,
        deactivationDate: day,
        deletionDate: null,
      };
    }
  }

  if (hit === null) {
    const reason =
      inactivity !== null
        ? inactiveReason(created, inactivity, policy, deletion.deletionPaused, now)
        : `${created}; within limit ${policy.deactivateAfterDays}`;
    return { ...base, action: 'none', rule: 'none', reason };
  }
  if (user.exemption !== null) {
    const until = user.exemption.until === null ? '' : ` through ${user.exemption.until}`;
    return {
      ...base,
      action: 'exempt',
      rule: hit.rule,
      reason: `would ${hit.action} (${hit.reason}) but exempt${until}: ${user.exemption.description}`,
      exemption: user.exemption,
    };
  }
  return { ...base, ...hit };
}

/**
 * Whether the decision on a key depends on its last use: for an Active key under the age limit
 * when the unused rule is on, and for an Inactive key when deletion is on (a use after keysweep saw
 * it inactive means it was re-activated in between: the count starts over). Elsewhere the last use
 * is shown, never decisive.
 */
export function lastUseMatters(
  key: Pick<KeyFacts, 'status' | 'createDate'>,
  policy: Policy,
  now: Date,
): boolean {
  if (key.status === 'Inactive') return policy.deleteAfterDays !== null;
  return policy.unusedAfterDays !== null && ageInDays(key.createDate, now) < policy.deactivateAfterDays;
}

/** Whether a decision changes the key (what the circuit breaker counts). */
export function isChange(action: Action): action is 'deactivate' | 'delete' {
  return action === 'deactivate' || action === 'delete';
}
