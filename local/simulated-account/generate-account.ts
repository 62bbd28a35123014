/**
 * Generates large, deterministic account files for the benchmark and scale tests.
 *
 * - 'quiet': every key Active, younger than (deactivateAfterDays - warnBeforeDays) days and used
 *   within the last day: nothing needs any action.
 * - 'stale': every key Active and at least deactivateAfterDays old (up to a year older): everything
 *   needs a deactivation. About one key in ten has never been used.
 *
 * Ages are whole days, floor((now - date) / 86400 s), as keysweep computes them.
 */
import type { AccountFile, AccountKey, AccountUser } from './account-file';
import { mulberry32 } from './prng';

export interface GenerateOptions {
  users: number;
  /** Keys per user (default 2, IAM's limit). */
  keysPerUser?: 1 | 2;
  now: Date;
  scenario: 'quiet' | 'stale';
  /** PRNG seed (default 1). */
  seed?: number;
  deactivateAfterDays?: number;
  warnBeforeDays?: number;
}

const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;
const HOUR_MS = 3_600_000;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function generateAccount(options: GenerateOptions): AccountFile {
  const { users: count, now, scenario } = options;
  const keysPerUser = options.keysPerUser ?? 2;
  const deactivateAfterDays = options.deactivateAfterDays ?? 90;
  const warnBeforeDays = options.warnBeforeDays ?? 14;
  if (!Number.isInteger(count) || count < 0) throw new Error(`generateAccount: users must be an integer ≥ 0`);
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new Error('generateAccount: now is not a valid date');
  const random = mulberry32(options.seed ?? 1);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

  // Age bounds in whole days, inclusive.
  const quietMax = Math.max(0, deactivateAfterDays - warnBeforeDays - 1);
  const [minAge, maxAge] =
    scenario === 'quiet'
      ? [Math.min(1, quietMax), quietMax]
      : [deactivateAfterDays, deactivateAfterDays + 365];

  const usedIds = new Set<string>();
  const newKeyId = (): string => {
    for (;;) {
      let id = 'AKIA';
      for (let i = 0; i < 16; i++) id += BASE32[Math.floor(random() * 32)];
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };
  /** A whole-second date whose whole-day age at `now` is exactly `ageDays` (never in the future). */
  const dateAged = (ageDays: number): number =>
    floorSecond(nowMs - ageDays * DAY_MS - int(0, DAY_S - 2) * 1000);

  const width = Math.max(5, String(count).length);
  const users: AccountUser[] = [];
  for (let n = 1; n <= count; n++) {
    const userName = `user-${String(n).padStart(width, '0')}`;
    const keys: AccountKey[] = [];
    const createMsList: number[] = [];
    for (let k = 0; k < keysPerUser; k++) createMsList.push(dateAged(int(minAge, maxAge)));
    createMsList.sort((a, b) => a - b);
    for (const createMs of createMsList) {
      const key: AccountKey = {
        accessKeyId: newKeyId(),
        status: 'Active',
        createDate: iso(createMs),
      };
      if (scenario === 'quiet') {
        // Used within the last day, never before its creation.
        key.lastUsedDate = iso(Math.max(createMs, floorSecond(nowMs - int(HOUR_MS, DAY_MS - 1))));
      } else if (random() >= 0.1) {
        key.lastUsedDate = iso(floorSecond(createMs + random() * (nowMs - createMs)));
      }
      keys.push(key);
    }
    const firstKeyMs = createMsList[0] ?? dateAged(minAge);
    users.push({
      userName,
      // The user was created up to 30 days before its first key.
      createDate: iso(firstKeyMs - int(0, 30) * DAY_MS),
      tags: { email: `${userName}@example.com` },
      accessKeys: keys,
    });
  }
  return { now: now.toISOString(), credentialReportAgeHours: 1, users };
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** ISO 8601 to the second, e.g. 2026-05-01T10:00:00Z (callers pass whole seconds). */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
