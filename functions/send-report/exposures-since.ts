/**
 * The exposure runs since the last daily run, for the daily report: each AWS Health exposed-key event
 * leaves runs/<date>/<execution>/exposure.json and a marker, state/exposures/runs/<date>/<execution>.json
 * (notify-exposure), and the daily run lists the markers of the days since the last one. In an
 * organization each account's run keeps only its own account's keys. Which it has reported already, the key index remembers (the report
 * keys the next listing can still find), so each is listed by one daily report: none is lost between
 * two runs, none is listed twice.
 *
 * Listing by day costs one ListObjectsV2 call per 1,000 exposure runs of a day (the day's sweep files,
 * 400 at 5,000 users or thousands in an organization, are under runs/ and not listed), and the window
 * is bounded: a daily run looks back at most LOOKBACK_DAYS.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { exposureReportSchema, type ExposureReport } from '../shared/exposure';
import type { KeyIndex } from '../shared/key-index';
import { mapWithConcurrency } from '../shared/concurrency';
import { layout, runPrefix } from '../shared/report-layout';
import { getJsonIfExists } from '../shared/s3-json';

export const LOOKBACK_DAYS = 35;
const DAY_MS = 86_400_000;
const EXPOSURE_REPORT = /^runs\/(\d{4}-\d{2}-\d{2})\/[^/]+\/exposure\.json$/;
const MARKER = /^state\/exposures\/runs\/(\d{4}-\d{2}-\d{2})\/([^/]+)\.json$/;

/** One key of an exposure run, as the daily report lists it. */
export interface ExposureEntry {
  accountId: string;
  userName: string | null;
  accessKeyId: string;
  maskedAccessKeyId: string;
  result: ExposureReport['keys'][number]['result'];
  detail: string | null;
  error: string | null;
  exemption: string | null;
  createDate: string | null;
  deactivatedAt: string | null;
  eventArn: string;
  eventTime: string;
  executionName: string;
  reportKey: string;
}

export interface ExposuresSinceLastRun {
  entries: ExposureEntry[];
  /** why the listing is incomplete (an S3 error, a window cut short), or null */
  problem: string | null;
}

/** What the key index keeps of the listing (key-index.ts, `exposures`). */
export interface ExposureListing {
  listedAt: string;
  /** exposure reports listed already that the next listing can still find */
  seen: string[];
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The days to list: from the day before the last listing (or yesterday) through today, at most LOOKBACK_DAYS. */
export function daysToList(
  previous: ExposureListing | undefined,
  now: Date,
): { days: string[]; cut: boolean } {
  const today = Date.parse(`${isoDay(now.getTime())}T00:00:00Z`);
  const last = previous ? Date.parse(`${previous.listedAt.slice(0, 10)}T00:00:00Z`) : today;
  const wanted = Number.isFinite(last) ? last - DAY_MS : today - DAY_MS;
  const first = Math.max(wanted, today - (LOOKBACK_DAYS - 1) * DAY_MS);
  const days: string[] = [];
  for (let t = first; t <= today; t += DAY_MS) days.push(isoDay(t));
  return { days, cut: wanted < first };
}

/** The exposure reports of `day`, by their markers. */
async function exposureReportsOf(s3: S3Client, bucket: string, day: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: layout.exposureRunMarkers(day),
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) {
      const marker = MARKER.exec(object.Key ?? '');
      if (marker?.[1] !== undefined && marker[2] !== undefined)
        keys.push(layout.exposure(runPrefix(marker[1], marker[2])));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

function entriesOf(report: ExposureReport, reportKey: string): ExposureEntry[] {
  return report.keys
    .filter((k) => k.firstHandling && k.result !== 'repeat' && k.result !== 'elsewhere')
    .map((k) => ({
      accountId: k.accountId,
      userName: k.userName,
      accessKeyId: k.accessKeyId,
      maskedAccessKeyId: k.maskedAccessKeyId,
      result: k.result,
      detail: k.detail ?? null,
      error: k.error ?? null,
      exemption: k.exemption,
      createDate: k.createDate,
      deactivatedAt: k.deactivatedAt,
      eventArn: report.event.eventArn,
      eventTime: report.event.time,
      executionName: report.executionName,
      reportKey,
    }));
}

/** The exposure runs not reported yet, and what the key index keeps for the next run. */
export async function readExposuresSince(
  s3: S3Client,
  bucket: string,
  previous: KeyIndex | null,
  now: Date,
  /** in an organization, the account swept: only its keys are listed (null: every key, one account) */
  scope: { accountId: string | null } = { accountId: null },
): Promise<{ exposures: ExposuresSinceLastRun; listing: ExposureListing | undefined }> {
  const { days, cut } = daysToList(previous?.exposures, now);
  const seenBefore = new Set(previous?.exposures?.seen ?? []);
  let found: string[];
  try {
    found = (await mapWithConcurrency(days, 5, (day) => exposureReportsOf(s3, bucket, day))).flat();
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      exposures: {
        entries: [],
        problem: `the exposure runs could not be listed (${why}); the next run lists them`,
      },
      // Keep the previous listing: the next run looks again from there.
      listing: previous?.exposures,
    };
  }
  const fresh = found.filter((key) => !seenBefore.has(key));
  const entries: ExposureEntry[] = [];
  const unreadable: string[] = [];
  for (const key of fresh) {
    const parsed = exposureReportSchema.safeParse(
      await getJsonIfExists(s3, bucket, key).catch(() => undefined),
    );
    if (parsed.success)
      entries.push(
        ...entriesOf(parsed.data, key).filter(
          (entry) => scope.accountId === null || entry.accountId === scope.accountId,
        ),
      );
    else unreadable.push(key);
  }
  const nextFirstDay = isoDay(now.getTime() - DAY_MS);
  const dayOf = (key: string) => EXPOSURE_REPORT.exec(key)?.[1] ?? '';
  const problems = [
    ...(cut ? [`only the last ${LOOKBACK_DAYS} days were looked at for exposure runs`] : []),
    ...(unreadable.length
      ? [`${unreadable.length} exposure report(s) could not be read: ${unreadable.join(', ')}`]
      : []),
  ];
  return {
    exposures: { entries, problem: problems.length ? problems.join('; ') : null },
    listing: { listedAt: now.toISOString(), seen: found.filter((key) => dayOf(key) >= nextFirstDay) },
  };
}
