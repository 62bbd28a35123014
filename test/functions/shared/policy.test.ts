import type { Policy } from '../../../functions/shared/config';
import {
  ACTIONS,
  decideKey,
  exemptionOf,
  inactivityOf,
  isChange,
  lastUseMatters,
  RUN_MAX_MS,
  type Action,
  type Inactivity,
  type KeyFacts,
  type KeyStatus,
  type Rule,
  type UserExemption,
  type UserFacts,
} from '../../../functions/shared/policy';
import { DAY_MS, NOW, daysAgo } from '../fixtures';

const TAG = 'keysweep:exempt';

function policy(overrides: Partial<Policy> = {}): Policy {
  return {
    deactivateAfterDays: 90,
    warnBeforeDays: 14,
    unusedAfterDays: 45,
    deleteAfterDays: 180,
    exemptTag: TAG,
    exemptGroups: ['break-glass'],
    ...overrides,
  };
}

function key(createDate: string, lastUsedDate: string | null, status: KeyStatus = 'Active'): KeyFacts {
  return { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status, createDate, lastUsedDate };
}

function userWith(tags: Record<string, string> = {}, groups: string[] = []): UserFacts {
  return { userName: 'alice', tags, groups };
}

const NOT_EXEMPT: UserExemption = { exemption: null, invalidTagValue: null };

/** An Inactive key seen inactive for `days` days (fractions allowed), by keysweep's count. */
function seen(days: number, byKeysweep = false): Inactivity {
  return { since: daysAgo(days), byKeysweep, restarted: null };
}
const YESTERDAY = daysAgo(1);
const MINUTE_MS = 60_000;

interface Expected {
  action: Action;
  rule: Rule;
  ageDays: number;
  deactivationDate?: string | null;
  reason: string[];
}

describe('decideKey at the day boundaries', () => {
  it.each<[string, KeyFacts, Partial<Policy>, Expected]>([
    // --- age rule (deactivateAfterDays 90, warnBeforeDays 14)
    [
      'Active, exactly 90 days old to the second → deactivate',
      key(daysAgo(90), YESTERDAY),
      {},
      {
        action: 'deactivate',
        rule: 'age',
        ageDays: 90,
        reason: ['created 2026-08-30, 90 days ago; limit 90'],
      },
    ],
    [
      'Active, 89 days 23h59m old → warn (age 89), deactivation today',
      key(new Date(NOW.getTime() - 90 * DAY_MS + MINUTE_MS).toISOString(), YESTERDAY),
      {},
      {
        action: 'warn',
        rule: 'age',
        ageDays: 89,
        deactivationDate: '2026-11-28',
        reason: ['89 days ago', 'will be deactivated on or after 2026-11-28 (limit 90)'],
      },
    ],
    [
      'Active, 76 days old → warn (first day of the warning window)',
      key(daysAgo(76), YESTERDAY),
      {},
      {
        action: 'warn',
        rule: 'age',
        ageDays: 76,
        deactivationDate: '2026-12-12',
        reason: ['created 2026-09-13, 76 days ago; will be deactivated on or after 2026-12-12 (limit 90)'],
      },
    ],
    [
      'Active, 75 days old → none',
      key(daysAgo(75), YESTERDAY),
      {},
      {
        action: 'none',
        rule: 'none',
        ageDays: 75,
        reason: ['created 2026-09-14, 75 days ago; within limit 90'],
      },
    ],
    [
      'Active, created 2026-01-03 → deactivate, reason with the date, days and limit',
      key('2026-01-03T07:30:00Z', YESTERDAY),
      {},
      {
        action: 'deactivate',
        rule: 'age',
        ageDays: 329,
        reason: ['created 2026-01-03, 329 days ago; limit 90'],
      },
    ],
    [
      'Active, 1 day old → none, singular "day"',
      key(daysAgo(1), null),
      {},
      {
        action: 'none',
        rule: 'none',
        ageDays: 1,
        reason: ['created 2026-11-27, 1 day ago; within limit 90'],
      },
    ],
    // --- unused rule (unusedAfterDays 45)
    [
      'never used, created 45 days ago → deactivate (unused)',
      key(daysAgo(45), null),
      {},
      {
        action: 'deactivate',
        rule: 'unused',
        ageDays: 45,
        reason: ['never used (created 45 days ago); unused limit 45'],
      },
    ],
    [
      'never used, created 44 days ago → warn (unused)',
      key(daysAgo(44), null),
      {},
      {
        action: 'warn',
        rule: 'unused',
        ageDays: 44,
        deactivationDate: '2026-11-29',
        reason: [
          'never used (created 44 days ago); will be deactivated on or after 2026-11-29 unless used (unused limit 45)',
        ],
      },
    ],
    [
      'last used 50 days ago, 80 days old → deactivate (unused) before the age limit',
      key(daysAgo(80), daysAgo(50)),
      {},
      {
        action: 'deactivate',
        rule: 'unused',
        ageDays: 80,
        reason: ['last used 2026-10-09, 50 days ago; unused limit 45'],
      },
    ],
    [
      'used yesterday, 60 days old → none',
      key(daysAgo(60), YESTERDAY),
      {},
      { action: 'none', rule: 'none', ageDays: 60, reason: ['within limit 90'] },
    ],
    [
      'never used, 100 days old → deactivate by age (age is checked first)',
      key(daysAgo(100), null),
      {},
      { action: 'deactivate', rule: 'age', ageDays: 100, reason: ['100 days ago; limit 90'] },
    ],
    [
      'both warnings due, unused deadline first → warn (unused) with that date',
      key(daysAgo(80), daysAgo(40)),
      {},
      {
        action: 'warn',
        rule: 'unused',
        ageDays: 80,
        deactivationDate: '2026-12-03',
        reason: ['unless used'],
      },
    ],
    [
      'both warnings due, age deadline first → warn (age) with that date',
      key(daysAgo(85), daysAgo(35)),
      {},
      { action: 'warn', rule: 'age', ageDays: 85, deactivationDate: '2026-12-03', reason: ['(limit 90)'] },
    ],
    [
      'unusedAfterDays null: never used for 60 days → none',
      key(daysAgo(60), null),
      { unusedAfterDays: null },
      { action: 'none', rule: 'none', ageDays: 60, reason: ['within limit 90'] },
    ],
    [
      'unusedAfterDays null: never used for 80 days → warn by age only',
      key(daysAgo(80), null),
      { unusedAfterDays: null },
      { action: 'warn', rule: 'age', ageDays: 80, deactivationDate: '2026-12-08', reason: ['(limit 90)'] },
    ],
    // --- inactive keys: the delete rule counts days seen inactive (below), never the key's age
    [
      'Inactive, 1000 days old, first seen inactive now → none, not delete',
      key(daysAgo(1000), daysAgo(990), 'Inactive'),
      {},
      {
        action: 'none',
        rule: 'none',
        ageDays: 1000,
        reason: [
          'inactive, created 2024-03-03, 1000 days ago; seen inactive since 2026-11-28 (0 days); delete limit 180 days inactive',
        ],
      },
    ],
    [
      'Inactive, 1000 days old, deleteAfterDays null → none',
      key(daysAgo(1000), null, 'Inactive'),
      { deleteAfterDays: null },
      {
        action: 'none',
        rule: 'none',
        ageDays: 1000,
        reason: ['inactive, created 2024-03-03, 1000 days ago; seen inactive since 2026-11-28 (0 days)'],
      },
    ],
    [
      'Inactive, 100 days old (over the deactivation limit) → none, not deactivate',
      key(daysAgo(100), null, 'Inactive'),
      {},
      { action: 'none', rule: 'none', ageDays: 100, reason: ['inactive'] },
    ],
    [
      'Inactive, 80 days old (in the warning window) → none, not warn',
      key(daysAgo(80), daysAgo(79), 'Inactive'),
      {},
      { action: 'none', rule: 'none', ageDays: 80, reason: ['inactive'] },
    ],
    [
      'Inactive, never used for 60 days → none, not deactivate (unused)',
      key(daysAgo(60), null, 'Inactive'),
      {},
      { action: 'none', rule: 'none', ageDays: 60, reason: ['inactive'] },
    ],
    // --- warnBeforeDays 0
    [
      'warnBeforeDays 0: 89 days old → none',
      key(daysAgo(89), YESTERDAY),
      { warnBeforeDays: 0 },
      { action: 'none', rule: 'none', ageDays: 89, reason: ['within limit 90'] },
    ],
    [
      'warnBeforeDays 0: never used for 44 days → none',
      key(daysAgo(44), null),
      { warnBeforeDays: 0 },
      { action: 'none', rule: 'none', ageDays: 44, reason: ['within limit 90'] },
    ],
    [
      'warnBeforeDays 0: 90 days old → still deactivate',
      key(daysAgo(90), YESTERDAY),
      { warnBeforeDays: 0 },
      { action: 'deactivate', rule: 'age', ageDays: 90, reason: ['limit 90'] },
    ],
  ])('%s', (_name, facts, overrides, expected) => {
    const decision = decideKey(facts, NOT_EXEMPT, policy(overrides), NOW);
    expect(decision).toMatchObject({
      action: expected.action,
      rule: expected.rule,
      ageDays: expected.ageDays,
      deactivationDate: expected.deactivationDate ?? null,
      exemption: null,
    });
    for (const part of expected.reason) expect(decision.reason).toContain(part);
  });

  it('counts unusedDays from the last use, or from creation when never used', () => {
    expect(decideKey(key(daysAgo(60), daysAgo(12.5)), NOT_EXEMPT, policy(), NOW).unusedDays).toBe(12);
    expect(decideKey(key(daysAgo(30.2), null), NOT_EXEMPT, policy(), NOW).unusedDays).toBe(30);
  });

  it('judges each key of one user on its own', () => {
    const p = policy();
    const keys = [
      key(daysAgo(120), YESTERDAY), // over age
      key(daysAgo(10), YESTERDAY), // young
      key(daysAgo(200), daysAgo(190), 'Inactive'), // seen inactive for 185 days
      key(daysAgo(80), YESTERDAY), // nearly over age
    ];
    const deletion = (k: KeyFacts) => ({
      inactivity: k.status === 'Inactive' ? seen(185) : null,
      deletionPaused: null,
    });
    expect(keys.map((k) => decideKey(k, NOT_EXEMPT, p, NOW, deletion(k)).action)).toEqual([
      'deactivate',
      'none',
      'delete',
      'warn',
    ]);
  });
});

describe('decideKey with an exemption', () => {
  const p = policy();
  const byTag = exemptionOf(userWith({ [TAG]: '2026-12-31' }), p, NOW);
  const byGroup = exemptionOf(userWith({}, ['break-glass']), p, NOW);

  it.each<[string, KeyFacts, UserExemption, Rule, string, Inactivity | null]>([
    [
      'over-age key, dated tag',
      key(daysAgo(100), YESTERDAY),
      byTag,
      'age',
      'would deactivate (created 2026-08-20, 100 days ago; limit 90) but exempt through 2026-12-31: tag keysweep:exempt = 2026-12-31',
      null,
    ],
    [
      'unused key, group',
      key(daysAgo(50), null),
      byGroup,
      'unused',
      'would deactivate (never used (created 50 days ago); unused limit 45) but exempt: member of group break-glass',
      null,
    ],
    [
      'key in the warning window (exempt > warn)',
      key(daysAgo(80), YESTERDAY),
      byTag,
      'age',
      'would warn (',
      null,
    ],
    [
      'inactive key seen inactive past the delete limit (exempt > delete)',
      key(daysAgo(200), null, 'Inactive'),
      byGroup,
      'delete',
      'would delete (inactive, created 2026-05-12, 200 days ago; seen inactive since 2026-05-22 (190 days); delete limit 180 days inactive) but exempt: member of group break-glass',
      seen(190),
    ],
    [
      'inactive key in the deletion warning window (exempt > warn)',
      key(daysAgo(200), null, 'Inactive'),
      byTag,
      'delete',
      'would warn (inactive, created 2026-05-12, 200 days ago; seen inactive since 2026-06-11 (170 days); will be deleted on or after 2026-12-08',
      seen(170),
    ],
  ])('%s → exempt, keeping the overridden rule', (_name, facts, exemption, rule, reason, inactivity) => {
    const decision = decideKey(facts, exemption, p, NOW, {
      inactivity: inactivity ?? null,
      deletionPaused: null,
    });
    expect(decision.action).toBe('exempt');
    expect(decision.rule).toBe(rule);
    expect(decision.reason).toContain(reason);
    expect(decision.exemption).toEqual(exemption.exemption);
    expect(decision.deactivationDate).toBeNull();
    expect(decision.deletionDate).toBeNull();
  });

  it.each([
    ['young Active key', key(daysAgo(10), YESTERDAY)],
    ['young Inactive key', key(daysAgo(10), null, 'Inactive')],
  ])('leaves a %s of an exempt user at none, without an exemption', (_name, facts) => {
    const decision = decideKey(facts, byTag, p, NOW);
    expect(decision.action).toBe('none');
    expect(decision.rule).toBe('none');
    expect(decision.exemption).toBeNull();
  });
});

describe('decideKey: the delete rule counts the days keysweep has seen a key inactive', () => {
  const inactive = (ageDays: number) => key(daysAgo(ageDays), daysAgo(ageDays), 'Inactive');
  const decide = (
    facts: KeyFacts,
    inactivity: Inactivity | null,
    overrides: Partial<Policy> = {},
    paused: string | null = null,
  ) =>
    decideKey(facts, NOT_EXEMPT, policy({ deleteAfterDays: 30, warnBeforeDays: 7, ...overrides }), NOW, {
      inactivity,
      deletionPaused: paused,
    });

  it.each<[string, number, Action, Rule, string | null, string]>([
    [
      'seen inactive for exactly 30 days to the second → delete',
      30,
      'delete',
      'delete',
      null,
      'seen inactive since 2026-10-29 (30 days); delete limit 30 days inactive',
    ],
    [
      'for 29 days and 23 hours → warn (29 whole days)',
      29.99,
      'warn',
      'delete',
      '2026-11-28',
      'will be deleted on or after 2026-11-28',
    ],
    [
      'for 29 days → warn, deletion tomorrow',
      29,
      'warn',
      'delete',
      '2026-11-29',
      'will be deleted on or after 2026-11-29 (delete limit 30 days inactive)',
    ],
    [
      'for 23 days → warn: the first day of the warning window',
      23,
      'warn',
      'delete',
      '2026-12-05',
      'will be deleted on or after 2026-12-05',
    ],
    [
      'for 22 days → none: before the warning window',
      22,
      'none',
      'none',
      null,
      'seen inactive since 2026-11-06 (22 days); delete limit 30 days inactive',
    ],
    ['for 0 days → none', 0, 'none', 'none', null, 'seen inactive since 2026-11-28 (0 days)'],
  ])('a 400-day-old key %s', (_name, days, action, rule, deletionDate, reason) => {
    const decision = decide(inactive(400), seen(days));
    expect(decision).toMatchObject({ action, rule, deletionDate, deactivationDate: null, ageDays: 400 });
    expect(decision.reason).toContain(reason);
  });

  it('counts from the sighting, whatever the key’s age: a 31-day-old key seen inactive for 30 days is deleted', () => {
    expect(decide(inactive(31), seen(30)).action).toBe('delete');
    expect(decide(inactive(3000), seen(29)).action).toBe('warn');
  });

  it('says when keysweep deactivated the key itself', () => {
    expect(decide(inactive(400), seen(30, true)).reason).toContain(
      'deactivated by keysweep since 2026-10-29 (30 days)',
    );
  });

  it('counts an Inactive key without facts as first seen inactive now: never deleted on its age', () => {
    const decision = decideKey(inactive(10_000), NOT_EXEMPT, policy({ deleteAfterDays: 30 }), NOW);
    expect(decision.action).toBe('none');
    expect(decision.reason).toContain('seen inactive since 2026-11-28 (0 days)');
  });

  it('deletes nothing and warns of nothing while deletion is paused, and says why', () => {
    const paused = 'first run: keysweep has no key index yet';
    for (const days of [10, 29, 30, 500]) {
      const decision = decide(inactive(600), seen(days), {}, paused);
      expect(decision).toMatchObject({ action: 'none', rule: 'none', deletionDate: null });
      expect(decision.reason).toContain(`deletion paused: ${paused}`);
    }
  });

  it('does nothing to inactive keys when deletion is off, and still says since when they are inactive', () => {
    const decision = decide(inactive(600), seen(500), { deleteAfterDays: null });
    expect(decision).toMatchObject({ action: 'none', rule: 'none', deletionDate: null });
    expect(decision.reason).toBe(
      'inactive, created 2025-04-07, 600 days ago; seen inactive since 2025-07-16 (500 days)',
    );
  });

  it('warns of nothing with warnBeforeDays 0, and still deletes at the limit', () => {
    expect(decide(inactive(400), seen(29), { warnBeforeDays: 0 }).action).toBe('none');
    expect(decide(inactive(400), seen(30), { warnBeforeDays: 0 }).action).toBe('delete');
  });

  it('warns from the first day when deleteAfterDays is within warnBeforeDays', () => {
    const decision = decide(inactive(400), seen(0), { deleteAfterDays: 3, warnBeforeDays: 7 });
    expect(decision).toMatchObject({ action: 'warn', rule: 'delete', deletionDate: '2026-12-01' });
  });

  it('never deletes or warns about an Active key by the delete rule', () => {
    const decision = decide(key(daysAgo(10), YESTERDAY), null);
    expect(decision).toMatchObject({ action: 'none', deletionDate: null });
  });
});

describe('inactivityOf', () => {
  const sighting = (daysAgoSeen: number | null, deactivatedByKeysweep = false) => ({
    inactiveSince: daysAgoSeen === null ? null : daysAgo(daysAgoSeen),
    deactivatedByKeysweep,
  });
  const inactiveKey = (lastUsedDate: string | null, lastRotated: string | null = null) => ({
    status: 'Inactive' as const,
    lastUsedDate,
    lastRotated,
  });

  it('is null for an Active key', () => {
    expect(inactivityOf({ status: 'Active', lastUsedDate: null }, sighting(10), NOW)).toBeNull();
  });

  it('counts from the index’s sighting when the key was not used or re-activated since', () => {
    expect(inactivityOf(inactiveKey(daysAgo(40)), sighting(20, true), NOW)).toEqual({
      since: daysAgo(20),
      byKeysweep: true,
      restarted: null,
    });
  });

  it.each([
    ['not in the index', null],
    ['in an index written before inactiveSince existed', sighting(null, true)],
  ])('counts a key %s as first seen inactive now, never as old', (_name, seenBefore) => {
    expect(inactivityOf(inactiveKey(daysAgo(900)), seenBefore, NOW)).toMatchObject({
      since: NOW.toISOString(),
      restarted: null,
    });
  });

  it('starts over when the key was used after it was seen inactive (so it was re-activated in between)', () => {
    expect(inactivityOf(inactiveKey(daysAgo(3)), sighting(20), NOW)).toEqual({
      since: NOW.toISOString(),
      byKeysweep: false,
      restarted: 'used 2026-11-25, after it was seen inactive on 2026-11-08',
    });
  });

  it('starts over when the credential report shows it re-activated after it was seen inactive', () => {
    expect(inactivityOf(inactiveKey(null, daysAgo(2)), sighting(20), NOW)?.restarted).toBe(
      're-activated 2026-11-26, after it was seen inactive on 2026-11-08',
    );
  });

  it(`does not start over for a use during the run that saw it inactive (up to ${RUN_MAX_MS / 3_600_000} hours after its start)`, () => {
    const since = daysAgo(20);
    const usedAt = (ms: number) => new Date(Date.parse(since) + ms).toISOString();
    const during = inactivityOf(
      inactiveKey(usedAt(RUN_MAX_MS)),
      { inactiveSince: since, deactivatedByKeysweep: true },
      NOW,
    );
    expect(during?.since).toBe(since);
    const after = inactivityOf(
      inactiveKey(usedAt(RUN_MAX_MS + 1000)),
      { inactiveSince: since, deactivatedByKeysweep: true },
      NOW,
    );
    expect(after?.since).toBe(NOW.toISOString());
  });
});

describe('lastUseMatters', () => {
  it.each<[string, KeyStatus, number, Partial<Policy>, boolean]>([
    ['an Inactive key when deletion is on (a later use means it was re-activated)', 'Inactive', 10, {}, true],
    ['an Inactive key when deletion is off', 'Inactive', 10, { deleteAfterDays: null }, false],
    ['an Active key under the age limit with the unused rule', 'Active', 10, {}, true],
    ['an Active key over the age limit', 'Active', 100, {}, false],
    ['an Active key without the unused rule', 'Active', 10, { unusedAfterDays: null }, false],
  ])('%s: %s', (_name, status, ageDays, overrides, expected) => {
    expect(lastUseMatters({ status, createDate: daysAgo(ageDays) }, policy(overrides), NOW)).toBe(expected);
  });
});

describe('exemptionOf', () => {
  const p = policy();

  it.each([
    ['a date in the future', '2026-12-31', '2026-12-31'],
    ['today (exempt through that day)', '2026-11-28', '2026-11-28'],
    ['a date with surrounding spaces', ' 2027-01-15 ', '2027-01-15'],
  ])('exempts with %s until that day', (_name, value, until) => {
    expect(exemptionOf(userWith({ [TAG]: value }), p, NOW)).toEqual({
      exemption: { source: 'tag', until, description: `tag ${TAG} = ${until}` },
      invalidTagValue: null,
    });
  });

  it('does not exempt with yesterday, and does not call it invalid (expired)', () => {
    expect(exemptionOf(userWith({ [TAG]: '2026-11-27' }), p, NOW)).toEqual({
      exemption: null,
      invalidTagValue: null,
    });
  });

  it.each([
    ['the last second of that day', '2026-11-28T23:59:59Z', true],
    ['the first second of the next day', '2026-11-29T00:00:00Z', false],
  ])('judges a date tag in UTC days: at %s', (_name, now, exempt) => {
    const result = exemptionOf(userWith({ [TAG]: '2026-11-28' }), p, new Date(now));
    expect(result.exemption !== null).toBe(exempt);
    expect(result.invalidTagValue).toBeNull();
  });

  it.each(['always', 'ALWAYS', 'Always', ' always '])('exempts for good with %j', (value) => {
    expect(exemptionOf(userWith({ [TAG]: value }), p, NOW)).toEqual({
      exemption: { source: 'tag', until: null, description: `tag ${TAG} = always` },
      invalidTagValue: null,
    });
  });

  it.each(['soon', '2026-02-30', '31/12/2026', '', '2026-1-5', '2026-12-31T00:00:00Z', 'never', 'true'])(
    'reports %j as invalid and exempts nothing',
    (value) => {
      expect(exemptionOf(userWith({ [TAG]: value }), p, NOW)).toEqual({
        exemption: null,
        invalidTagValue: value,
      });
    },
  );

  it('exempts a member of an exempt group', () => {
    expect(exemptionOf(userWith({}, ['developers', 'break-glass']), p, NOW)).toEqual({
      exemption: { source: 'group', until: null, description: 'member of group break-glass' },
      invalidTagValue: null,
    });
  });

  it.each([
    ['no tag and no exempt group', userWith({ email: 'alice@example.com' }, ['developers']), p],
    ['a group that is not exempt', userWith({}, ['break-glass']), policy({ exemptGroups: [] })],
    ['the tag under another key', userWith({ 'keysweep:exmpt': 'always' }), p],
    [
      'the default tag when another tag is configured',
      userWith({ [TAG]: 'always' }),
      policy({ exemptTag: 'x' }),
    ],
  ])('exempts nobody with %s', (_name, user, pol) => {
    expect(exemptionOf(user, pol, NOW)).toEqual({ exemption: null, invalidTagValue: null });
  });

  it('lets the exemption without an end win over a dated one', () => {
    const result = exemptionOf(userWith({ [TAG]: '2026-12-31' }, ['break-glass']), p, NOW);
    expect(result.exemption).toEqual({
      source: 'group',
      until: null,
      description: 'member of group break-glass',
    });
  });

  it('exempts by group and still reports an invalid tag value', () => {
    expect(exemptionOf(userWith({ [TAG]: 'soon' }, ['break-glass']), p, NOW)).toEqual({
      exemption: { source: 'group', until: null, description: 'member of group break-glass' },
      invalidTagValue: 'soon',
    });
  });

  it('reads the configured tag key', () => {
    const result = exemptionOf(
      userWith({ 'team:exempt': '2027-03-01' }),
      policy({ exemptTag: 'team:exempt' }),
      NOW,
    );
    expect(result.exemption).toEqual({
      source: 'tag',
      until: '2027-03-01',
      description: 'tag team:exempt = 2027-03-01',
    });
  });
});

describe('isChange', () => {
  it.each<[Action, boolean]>([
    ['deactivate', true],
    ['delete', true],
    ['warn', false],
    ['exempt', false],
    ['none', false],
  ])('%s → %s', (action, expected) => {
    expect(isChange(action)).toBe(expected);
  });

  it('covers every action', () => {
    expect([...ACTIONS].sort()).toEqual(['deactivate', 'delete', 'exempt', 'none', 'warn']);
  });
});
