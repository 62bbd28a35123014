/**
 * The daily report's exposure runs since the last run: which days it lists, that each exposure run is
 * reported by one daily run only (none lost between two runs, none twice), and what the key index keeps.
 */
import { S3Client } from '@aws-sdk/client-s3';
import {
  daysToList,
  LOOKBACK_DAYS,
  readExposuresSince,
} from '../../../functions/send-report/exposures-since';
import type { ExposureReport } from '../../../functions/shared/exposure';
import type { KeyIndex } from '../../../functions/shared/key-index';
import { SimulatedAccount } from '../../../local/simulated-account';
import { keyId } from '../fixtures';

const BUCKET = 'reports';
const s3 = new S3Client({});

let account: SimulatedAccount;
beforeEach(() => {
  account = new SimulatedAccount({ users: [] }, { now: new Date('2026-11-28T08:00:00Z') }).install();
});
afterEach(() => account.uninstall());

function exposure(day: string, name: string, overrides: Partial<ExposureReport['keys'][number]> = {}) {
  const report: ExposureReport = {
    kind: 'exposure',
    keysweepVersion: '1.0.0',
    executionId: `arn:aws:states:us-east-1:123456789012:execution:KeySweep-ExposedKey:${name}`,
    executionName: name,
    consoleUrl: null,
    hubAccountId: '123456789012',
    startedAt: `${day}T07:00:00Z`,
    finishedAt: `${day}T07:00:05Z`,
    event: {
      id: 'e',
      eventArn: `arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/${name}`,
      time: `${day}T06:59:00Z`,
      account: '123456789012',
      affectedAccount: '123456789012',
    },
    exposedKeys: 'deactivate',
    outcome: 'ok',
    cause: '',
    keys: [
      {
        accountId: '123456789012',
        accessKeyId: keyId(1),
        maskedAccessKeyId: 'AKIA************AAAB',
        result: 'deactivated',
        firstHandling: true,
        userName: 'alice',
        createDate: '2026-01-01T00:00:00Z',
        statusBefore: 'Active',
        lastUsed: null,
        exemption: null,
        ownerEmail: null,
        keyCount: 1,
        deactivatedAt: `${day}T07:00:01Z`,
        handledBy: null,
        ...overrides,
      },
    ],
    notifications: { admins: 'sent', owners: [] },
  };
  const key = `runs/${day}/${name}/exposure.json`;
  account.putObjectText(BUCKET, key, JSON.stringify(report));
  account.putObjectText(
    BUCKET,
    `state/exposures/runs/${day}/${name}.json`,
    JSON.stringify({ reportKey: key }),
  );
  return key;
}

const index = (exposures?: KeyIndex['exposures']): KeyIndex => ({
  updatedAt: '2026-11-27T08:00:00Z',
  users: {},
  deactivatedByKeysweep: [],
  ...(exposures ? { exposures } : {}),
});

describe('daysToList', () => {
  it('lists yesterday and today on a first run', () => {
    expect(daysToList(undefined, new Date('2026-11-28T08:00:00Z'))).toEqual({
      days: ['2026-11-27', '2026-11-28'],
      cut: false,
    });
  });

  it('lists from the day before the last listing through today', () => {
    const last = { listedAt: '2026-11-25T08:00:00Z', seen: [] };
    expect(daysToList(last, new Date('2026-11-28T08:00:00Z')).days).toEqual([
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
      '2026-11-28',
    ]);
  });

  it(`looks back at most ${LOOKBACK_DAYS} days, and says it cut the window`, () => {
    const { days, cut } = daysToList(
      { listedAt: '2026-01-01T08:00:00Z', seen: [] },
      new Date('2026-11-28T08:00:00Z'),
    );
    expect(days).toHaveLength(LOOKBACK_DAYS);
    expect(days.at(-1)).toBe('2026-11-28');
    expect(cut).toBe(true);
  });
});

describe('readExposuresSince', () => {
  it('reports each exposure run once, over runs on consecutive days', async () => {
    const early = exposure('2026-11-27', 'exposure-a');
    // day 1: a first run, which finds run a
    const day1 = await readExposuresSince(s3, BUCKET, null, new Date('2026-11-27T08:00:00Z'));
    expect(day1.exposures.entries.map((e) => e.executionName)).toEqual(['exposure-a']);
    expect(day1.listing).toEqual({ listedAt: '2026-11-27T08:00:00.000Z', seen: [early] });
    // an exposure later that day, after the listing
    const late = exposure('2026-11-27', 'exposure-b');
    const day2 = await readExposuresSince(s3, BUCKET, index(day1.listing), new Date('2026-11-28T08:00:00Z'));
    expect(day2.exposures.entries.map((e) => e.executionName)).toEqual(['exposure-b']);
    expect(day2.listing?.seen.sort()).toEqual([early, late].sort());
    const day3 = await readExposuresSince(s3, BUCKET, index(day2.listing), new Date('2026-11-29T08:00:00Z'));
    expect(day3.exposures.entries).toEqual([]);
    // what the next listing cannot find any more is forgotten
    const day4 = await readExposuresSince(s3, BUCKET, index(day3.listing), new Date('2026-11-30T08:00:00Z'));
    expect(day4.listing?.seen).toEqual([]);
    expect(day4.exposures.entries).toEqual([]);
  });

  it('lists only what a run handled first: no repeat, no key handled elsewhere', async () => {
    exposure('2026-11-28', 'exposure-repeat', { result: 'repeat', firstHandling: false });
    exposure('2026-11-28', 'exposure-first');
    const { exposures } = await readExposuresSince(s3, BUCKET, null, new Date('2026-11-28T09:00:00Z'));
    expect(exposures.entries).toEqual([
      expect.objectContaining({
        executionName: 'exposure-first',
        userName: 'alice',
        accessKeyId: keyId(1),
        result: 'deactivated',
        deactivatedAt: '2026-11-28T07:00:01Z',
      }),
    ]);
  });

  it('ignores the sweep’s own files and says which exposure reports it could not read', async () => {
    account.putObjectText(BUCKET, 'runs/2026-11-28/local-1/report.json', '{}');
    account.putObjectText(BUCKET, 'runs/2026-11-28/exposure-bad/exposure.json', '{"kind":"other"}');
    account.putObjectText(BUCKET, 'state/exposures/runs/2026-11-28/exposure-bad.json', '{}');
    // an exposure report without its marker (its run failed between the two writes, and retries) is not listed yet
    account.putObjectText(BUCKET, 'runs/2026-11-28/exposure-unmarked/exposure.json', '{"kind":"other"}');
    const { exposures } = await readExposuresSince(s3, BUCKET, null, new Date('2026-11-28T09:00:00Z'));
    expect(exposures.entries).toEqual([]);
    expect(exposures.problem).toContain('runs/2026-11-28/exposure-bad/exposure.json');
    expect(exposures.problem).not.toContain('exposure-unmarked');
  });

  it('in an organization, keeps only the keys of the account swept', async () => {
    exposure('2026-11-28', 'exposure-a');
    const mine = await readExposuresSince(s3, BUCKET, null, new Date('2026-11-28T09:00:00Z'), {
      accountId: '123456789012',
    });
    const other = await readExposuresSince(s3, BUCKET, null, new Date('2026-11-28T09:00:00Z'), {
      accountId: '222222222222',
    });
    expect(mine.exposures.entries).toHaveLength(1);
    expect(other.exposures.entries).toEqual([]);
    // each account's key index remembers the report as listed all the same
    expect(other.listing?.seen).toEqual(mine.listing?.seen);
  });
});
