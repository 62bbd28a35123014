/**
 * The IAM credential report: one CSV for the whole account, at most 4 hours old. It narrows the
 * search (which users could have a key that needs action) and hints each key's last use; it never
 * decides an action. Its traps: last_rotated is when a key was created OR last activated; slots 1
 * and 2 hold no key IDs and shift on deletion; fields may be N/A; the <root_account> row is not a
 * user; users and keys created after generation are missing. Parsing: credential-report-csv.ts.
 */
import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { redactAccessKeyIds } from '../shared/masking';
import { withRetry, type RetryOptions } from '../shared/retry';
import {
  CredentialReportFormatError,
  parseCredentialReport,
  type CredentialReportRow,
  type UnreadableRow,
} from './credential-report-csv';

export interface CredentialReport {
  generatedAt: string;
  /** the rows keysweep could read, one a user */
  rows: CredentialReportRow[];
  /** rows set aside: their users are missing from `rows` */
  unreadable: UnreadableRow[];
}

/** How long list-users waits for a credential report being generated: polls, and the pause between two. */
export const REPORT_POLLING = { maxPolls: 10, pollDelayMs: 2_000 } as const;

export interface FetchOptions {
  retry: RetryOptions;
  /** GenerateCredentialReport calls before giving up on a report in progress */
  maxPolls: number;
  pollDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** Longest failure text kept in a fallback reason (it reaches report.json, the email and the logs). */
const MAX_FAILURE_LENGTH = 240;

/**
 * "Operation: ErrorName: first line of the message", key IDs masked (before it is cut short).
 * Duck-typed: an error from another realm (a Node built-in under jest) is no `instanceof Error`.
 */
function describeFailure(operation: string | null, error: unknown): string {
  const { name, message } =
    typeof error === 'object' && error !== null ? (error as { name?: unknown; message?: unknown }) : {};
  const errorName = typeof name === 'string' && name !== '' ? name : typeof error;
  const firstLine = (typeof message === 'string' ? message : String(error)).split(/\r?\n/)[0]?.trim() ?? '';
  const text = redactAccessKeyIds(
    `${operation ? `${operation}: ` : ''}${errorName}${firstLine ? `: ${firstLine}` : ''}`,
  );
  return text.length > MAX_FAILURE_LENGTH ? `${text.slice(0, MAX_FAILURE_LENGTH)}...` : text;
}

/**
 * Gets a report no older than 4 hours (generating one if needed). Never throws: when no report
 * can be had, for whatever reason (IAM's documented errors, GenerateCredentialReport's
 * LimitExceeded (409) and ServiceFailure (500), GetCredentialReport's ReportNotPresent,
 * ReportExpired (410), ReportInProgress (404) and ServiceFailure (500); AccessDenied; throttling
 * that outlasts the retries; a response or CSV keysweep cannot use), it returns the reason, and
 * the caller reads every user instead. The report is a fast path, never a reason to fail a run.
 */
export async function fetchCredentialReport(
  iam: IAMClient,
  options: FetchOptions,
): Promise<{ report: CredentialReport } | { unavailable: string }> {
  let operation = 'GenerateCredentialReport';
  try {
    for (let poll = 1; ; poll++) {
      const state = (await withRetry(() => iam.send(new GenerateCredentialReportCommand({})), options.retry))
        .State;
      if (state === 'COMPLETE') break;
      if (poll >= options.maxPolls)
        return { unavailable: `the credential report was still ${state} after ${poll} polls` };
      await options.sleep(options.pollDelayMs);
    }
    operation = 'GetCredentialReport';
    const response = await withRetry(() => iam.send(new GetCredentialReportCommand({})), options.retry);
    if (!response.Content?.byteLength) return { unavailable: 'the credential report came back empty' };
    const generatedMs = response.GeneratedTime ? new Date(response.GeneratedTime).getTime() : NaN;
    if (Number.isNaN(generatedMs))
      return { unavailable: 'the credential report came back without a valid GeneratedTime' };
    const parsed = parseCredentialReport(new TextDecoder().decode(response.Content));
    return { report: { generatedAt: new Date(generatedMs).toISOString(), ...parsed } };
  } catch (error) {
    const what = error instanceof CredentialReportFormatError ? null : operation;
    return { unavailable: `the credential report could not be read (${describeFailure(what, error)})` };
  }
}
