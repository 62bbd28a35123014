/**
 * The IAM credential report: one CSV for the whole account, at most 4 hours old. It narrows the
 * search (which users could have a key that needs action) and hints each key's last use; it never
 * decides an action. Its traps: last_rotated is when a key was created OR last activated; slots 1
 * and 2 hold no key IDs and shift on deletion; fields may be N/A; the <root_account> row is not a
 * user; users and keys created after generation are missing.
 */
import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { withRetry, type RetryOptions } from '../shared/retry';

export interface ReportKeySlot {
  active: boolean;
  /** creation or last activation, ISO; null when N/A */
  lastRotated: string | null;
  /** ISO; null when never used (N/A) */
  lastUsedDate: string | null;
}

export interface CredentialReportRow {
  userName: string;
  keys: ReportKeySlot[];
}

export interface CredentialReport {
  generatedAt: string;
  rows: CredentialReportRow[];
}

/** Splits CSV text into rows of fields (RFC 4180 quoting). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

const dateOrNull = (value: string | undefined): string | null => {
  if (
    value === undefined ||
    value === '' ||
    value === 'N/A' ||
    value === 'no_information' ||
    value === 'not_supported'
  ) {
    return null;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

export class CredentialReportFormatError extends Error {
  override name = 'CredentialReportFormatError';
}

export function parseCredentialReport(csv: string): CredentialReportRow[] {
  const [header, ...rows] = parseCsv(csv);
  if (!header) throw new CredentialReportFormatError('the credential report is empty');
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new CredentialReportFormatError(`the credential report has no column ${name}`);
    return index;
  };
  const userCol = column('user');
  const slots = [1, 2].map((n) => ({
    active: column(`access_key_${n}_active`),
    rotated: column(`access_key_${n}_last_rotated`),
    used: column(`access_key_${n}_last_used_date`),
  }));
  return rows
    .filter((fields) => fields[userCol] !== undefined && fields[userCol] !== '<root_account>')
    .map((fields) => ({
      userName: fields[userCol] as string,
      keys: slots
        .map((slot) => ({
          active: fields[slot.active] === 'true',
          lastRotated: dateOrNull(fields[slot.rotated]),
          lastUsedDate: dateOrNull(fields[slot.used]),
        }))
        .filter((slot) => slot.lastRotated !== null),
    }));
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

/**
 * Gets a report no older than 4 hours (generating one if needed). Returns the reason instead
 * when none can be had, so the caller falls back to reading every user.
 */
export async function fetchCredentialReport(
  iam: IAMClient,
  options: FetchOptions,
): Promise<{ report: CredentialReport } | { unavailable: string }> {
  for (let poll = 1; ; poll++) {
    const state = (await withRetry(() => iam.send(new GenerateCredentialReportCommand({})), options.retry))
      .State;
    if (state === 'COMPLETE') break;
    if (poll >= options.maxPolls)
      return { unavailable: `the credential report was still ${state} after ${poll} polls` };
    await options.sleep(options.pollDelayMs);
  }
  try {
    const response = await withRetry(() => iam.send(new GetCredentialReportCommand({})), options.retry);
    if (!response.Content || !response.GeneratedTime)
      return { unavailable: 'the credential report came back empty' };
    const csv = new TextDecoder().decode(response.Content);
    return {
      report: { generatedAt: response.GeneratedTime.toISOString(), rows: parseCredentialReport(csv) },
    };
  } catch (error) {
    if (error instanceof CredentialReportFormatError) {
      return { unavailable: `the credential report could not be read (${error.name}: ${error.message})` };
    }
    if (error instanceof Error && /^CredentialReport|^Report/.test(error.name)) {
      return { unavailable: `the credential report could not be read (${error.name})` };
    }
    throw error;
  }
}
