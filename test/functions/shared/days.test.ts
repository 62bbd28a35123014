import { MS_PER_DAY, addDays, ageInDays, isoDay } from '../../../functions/shared/days';
import { NOW } from '../fixtures';

describe('ageInDays', () => {
  it.each<[string, string | Date, number]>([
    ['exactly now', NOW.toISOString(), 0],
    ['1 ms ago', new Date(NOW.getTime() - 1), 0],
    ['1 day minus 1 ms ago', new Date(NOW.getTime() - MS_PER_DAY + 1), 0],
    ['exactly 1 day ago', new Date(NOW.getTime() - MS_PER_DAY), 1],
    ['90 days ago, as an ISO string', '2026-08-30T08:00:00Z', 90],
    ['90 days minus 1 second ago', '2026-08-30T08:00:01Z', 89],
    ['with a time zone offset', '2026-08-30T09:00:00+01:00', 90],
    ['across a leap day', '2024-02-28T08:00:00Z', 1004],
    ['1 ms in the future', new Date(NOW.getTime() + 1), -1],
  ])('%s → %i', (_name, date, days) => {
    expect(ageInDays(date, NOW)).toBe(days);
  });

  it('is NaN for a date it cannot read', () => {
    expect(ageInDays('not a date', NOW)).toBeNaN();
  });
});

describe('addDays', () => {
  it.each<[string | Date, number, string]>([
    ['2026-08-30T08:00:00Z', 90, '2026-11-28T08:00:00.000Z'],
    [NOW, 14, '2026-12-12T08:00:00.000Z'],
    [NOW, 0, '2026-11-28T08:00:00.000Z'],
    [NOW, -1, '2026-11-27T08:00:00.000Z'],
    ['2024-02-28T00:00:00Z', 1, '2024-02-29T00:00:00.000Z'],
  ])('%s + %i days → %s', (date, days, expected) => {
    expect(addDays(date, days).toISOString()).toBe(expected);
  });
});

describe('isoDay', () => {
  it.each([
    ['2026-11-28T08:00:00Z', '2026-11-28'],
    ['2026-11-28T23:59:59.999Z', '2026-11-28'],
    ['2026-11-29T00:30:00+01:00', '2026-11-28'],
  ])('%s → %s (UTC calendar date)', (date, day) => {
    expect(isoDay(new Date(date))).toBe(day);
  });
});
