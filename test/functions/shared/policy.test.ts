import type { Policy } from '../../../functions/shared/config';
import {
  ACTIONS,
  decideKey,
  exemptionOf,
  isChange,
  type Action,
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
    // --- delete rule (deleteAfterDays 180) and inactive keys
    [
      'Inactive, exactly 180 days old → delete',
      key(daysAgo(180), daysAgo(170), 'Inactive'),
      {},
      {
        action: 'delete',
        rule: 'delete',
        ageDays: 180,
        reason: ['inactive, created 2026-06-01, 180 days ago; delete limit 180'],
      },
    ],
    [
      'Inactive, 179 days old → none',
      key(daysAgo(179), daysAgo(170), 'Inactive'),
      {},
      {
        action: 'none',
        rule: 'none',
        ageDays: 179,
        reason: ['inactive, created 2026-06-02, 179 days ago; delete limit 180'],
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
        reason: ['inactive, created 2024-03-03, 1000 days ago'],
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
      key(daysAgo(200), daysAgo(150), 'Inactive'), // long dead
      key(daysAgo(80), YESTERDAY), // nearly over age
    ];
    expect(keys.map((k) => decideKey(k, NOT_EXEMPT, p, NOW).action)).toEqual([
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

  it.each<[string, KeyFacts, UserExemption, Rule, string]>([
    [
      'over-age key, dated tag',
      key(daysAgo(100), YESTERDAY),
      byTag,
      'age',
      'would deactivate (created 2026-08-20, 100 days ago; limit 90) but exempt through 2026-12-31: tag keysweep:exempt = 2026-12-31',
    ],
    [
      'unused key, group',
      key(daysAgo(50), null),
      byGroup,
      'unused',
      'would deactivate (never used (created 50 days ago); unused limit 45) but exempt: member of group break-glass',
    ],
    ['key in the warning window (exempt > warn)', key(daysAgo(80), YESTERDAY), byTag, 'age', 'would warn ('],
    [
      'inactive key over the delete limit (exempt > delete)',
      key(daysAgo(200), null, 'Inactive'),
      byGroup,
      'delete',
      'would delete (inactive, created 2026-05-12, 200 days ago; delete limit 180) but exempt: member of group break-glass',
    ],
  ])('%s → exempt, keeping the overridden rule', (_name, facts, exemption, rule, reason) => {
    const decision = decideKey(facts, exemption, p, NOW);
    expect(decision.action).toBe('exempt');
    expect(decision.rule).toBe(rule);
    expect(decision.reason).toContain(reason);
    expect(decision.exemption).toEqual(exemption.exemption);
    expect(decision.deactivationDate).toBeNull();
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
