/**
 * The key policy, pure: plain data in, decisions out. No SDK call, no clock, no environment.
 * Precedence when several rules hit one key: exempt > delete > deactivate > warn.
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
  exemption: Exemption | null;
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

/** Decides one key. Each key of a user is judged on its own. */
export function decideKey(key: KeyFacts, user: UserExemption, policy: Policy, now: Date): KeyDecision {
  // A key created after the run started (clock skew, eventual consistency) is 0 days old.
  const ageDays = Math.max(0, ageInDays(key.createDate, now));
  const lastActivity = key.lastUsedDate ?? key.createDate;
  const unusedDays = ageInDays(lastActivity, now);
  const created = `created ${key.createDate.slice(0, 10)}, ${plural(ageDays, 'day')} ago`;
  const used =
    key.lastUsedDate === null
      ? `never used (created ${plural(unusedDays, 'day')} ago)`
      : `last used ${key.lastUsedDate.slice(0, 10)}, ${plural(unusedDays, 'day')} ago`;
  const base = { ageDays, unusedDays, deactivationDate: null, exemption: null };

  let hit: Omit<KeyDecision, 'ageDays' | 'unusedDays' | 'exemption'> | null = null;
  if (key.status === 'Inactive') {
    if (policy.deleteAfterDays !== null && ageDays >= policy.deleteAfterDays) {
      hit = {
        action: 'delete',
        rule: 'delete',
        reason: `inactive, ${created}; delete limit ${policy.deleteAfterDays}`,
        deactivationDate: null,
      };
    }
  } else if (ageDays >= policy.deactivateAfterDays) {
    hit = {
      action: 'deactivate',
      rule: 'age',
      reason: `${created}; limit ${policy.deactivateAfterDays}`,
      deactivationDate: null,
    };
  } else if (policy.unusedAfterDays !== null && unusedDays >= policy.unusedAfterDays) {
    hit = {
      action: 'deactivate',
      rule: 'unused',
      reason: `${used}; unused limit ${policy.unusedAfterDays}`,
      deactivationDate: null,
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
      };
    } else if (ageSoon) {
      const day = isoDay(byAge);
      hit = {
        action: 'warn',
        rule: 'age',
        reason: `${created}; will be deactivated on or after ${day} (limit ${policy.deactivateAfterDays})`,
        deactivationDate: day,
      };
    }
  }

  if (hit === null) {
    const reason =
      key.status === 'Inactive'
        ? `inactive, ${created}${policy.deleteAfterDays === null ? '' : `; delete limit ${policy.deleteAfterDays}`}`
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
 * Whether the decision on a key depends on its last use: only for an Active key under the age
 * limit when the unused rule is on. Elsewhere the last use is shown, never decisive.
 */
export function lastUseMatters(
  key: Pick<KeyFacts, 'status' | 'createDate'>,
  policy: Policy,
  now: Date,
): boolean {
  return (
    key.status === 'Active' &&
    policy.unusedAfterDays !== null &&
    ageInDays(key.createDate, now) < policy.deactivateAfterDays
  );
}

/** Whether a decision changes the key (what the circuit breaker counts). */
export function isChange(action: Action): action is 'deactivate' | 'delete' {
  return action === 'deactivate' || action === 'delete';
}
