/**
 * The credential report's CSV, parsed. Pure. A row keysweep cannot trust is never guessed at: it
 * is set aside as unreadable (and counted), and its user, which ListUsers still names, is read
 * like a user the report does not have. What makes a row unreadable:
 * - a line that is not RFC 4180 CSV: an unclosed quote, a quote inside an unquoted field, text
 *   after a closing quote;
 * - a field count other than the header's (an unquoted comma in a user name, a truncated row);
 * - an `arn` that does not end in `/<user>` (fields shifted so that the counts still match);
 * - a value keysweep reads that is not what AWS writes there: `*_active` neither true nor false,
 *   a date column holding neither N/A nor an ISO 8601 date, a key active without a last_rotated;
 * - a user name found on more than one row (which of them is the user's?).
 * IAM user names may hold `+=,.@_-`. AWS does not document whether it quotes a field holding a
 * comma; RFC 4180 quoting is read either way, and without it such a row has a field too many.
 * No field of the report can hold a line break (names are [\w+=,.@-], the rest are dates,
 * booleans, ARNs, regions and service names), so every line is one row: a stray quote spoils its
 * own row only, never the rows after it.
 */

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

/** A row set aside: where it is and what is wrong with it (never its content). */
export interface UnreadableRow {
  /** 1-based line number in the CSV */
  line: number;
  problem: string;
}

export interface ParsedCredentialReport {
  rows: CredentialReportRow[];
  unreadable: UnreadableRow[];
}

export class CredentialReportFormatError extends Error {
  override name = 'CredentialReportFormatError';
}

/** The fields of one line of RFC 4180 CSV, or null when the line is not valid RFC 4180. */
export function parseCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = '';
      for (i++; ; i++) {
        if (i >= line.length) return null; // the quote is never closed
        if (line[i] !== '"') field += line[i];
        else if (line[i + 1] === '"') {
          field += '"'; // a doubled quote is one quote
          i++;
        } else break;
      }
      fields.push(field);
      i++; // past the closing quote
      if (i === line.length) return fields;
      if (line[i] !== ',') return null; // text after a closing quote
      i++;
    } else {
      const end = line.indexOf(',', i);
      const field = end < 0 ? line.slice(i) : line.slice(i, end);
      if (field.includes('"')) return null; // a quote inside an unquoted field
      fields.push(field);
      if (end < 0) return fields;
      i = end + 1;
    }
  }
}

/** The non-blank lines of a text with their 1-based line numbers (LF, CRLF or CR line ends). */
export function csvLines(text: string): { line: number; text: string }[] {
  return text
    .split(/\r\n|\n|\r/)
    .map((line, index) => ({ line: index + 1, text: line }))
    .filter((l) => l.text.trim() !== '');
}

const NO_VALUE = new Set(['N/A', 'no_information', 'not_supported']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A date column: null for N/A, the ISO date, or undefined when it is neither. */
function dateOf(value: string): string | null | undefined {
  if (NO_VALUE.has(value)) return null;
  if (!ISO_DATE.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function booleanOf(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

interface Columns {
  user: number;
  arn: number | undefined;
  slots: { n: number; active: number; rotated: number; used: number }[];
}

function columnsOf(header: readonly string[]): Columns {
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new CredentialReportFormatError(`the credential report has no column ${name}`);
    return index;
  };
  const arn = header.indexOf('arn');
  return {
    user: column('user'),
    arn: arn < 0 ? undefined : arn,
    slots: [1, 2].map((n) => ({
      n,
      active: column(`access_key_${n}_active`),
      rotated: column(`access_key_${n}_last_rotated`),
      used: column(`access_key_${n}_last_used_date`),
    })),
  };
}

/** The row's user and key slots, 'root' for the root account, or what is wrong with it. */
function readRow(
  fields: readonly string[],
  width: number,
  columns: Columns,
): CredentialReportRow | 'root' | string {
  if (fields.length !== width) return `${fields.length} fields where the header has ${width}`;
  const field = (index: number) => fields[index] ?? '';
  const userName = field(columns.user);
  if (userName === '<root_account>') return 'root';
  if (userName === '') return 'no user name';
  if (columns.arn !== undefined && !field(columns.arn).endsWith(`/${userName}`))
    return 'its arn is not the ARN of its user';
  const keys: ReportKeySlot[] = [];
  for (const slot of columns.slots) {
    const active = booleanOf(field(slot.active));
    const lastRotated = dateOf(field(slot.rotated));
    const lastUsedDate = dateOf(field(slot.used));
    if (active === undefined) return `access_key_${slot.n}_active is neither true nor false`;
    if (lastRotated === undefined) return `access_key_${slot.n}_last_rotated is neither N/A nor a date`;
    if (lastUsedDate === undefined) return `access_key_${slot.n}_last_used_date is neither N/A nor a date`;
    if (lastRotated === null) {
      if (active) return `access_key_${slot.n} is active without a last_rotated date`;
      continue; // no key in this slot
    }
    keys.push({ active, lastRotated, lastUsedDate });
  }
  return { userName, keys };
}

/**
 * The report's user rows (without `<root_account>`, in report order) and the rows set aside as
 * unreadable. Throws CredentialReportFormatError when the header itself cannot be used.
 */
export function parseCredentialReport(csv: string): ParsedCredentialReport {
  const [headerLine, ...lines] = csvLines(csv);
  if (!headerLine) throw new CredentialReportFormatError('the credential report is empty');
  const header = parseCsvLine(headerLine.text);
  if (!header) throw new CredentialReportFormatError('the credential report header is not valid CSV');
  const columns = columnsOf(header);

  const unreadable: UnreadableRow[] = [];
  const read: { line: number; row: CredentialReportRow }[] = [];
  for (const { line, text } of lines) {
    const fields = parseCsvLine(text);
    const row = fields
      ? readRow(fields, header.length, columns)
      : 'not valid CSV (a stray or unclosed quote)';
    if (row === 'root') continue;
    if (typeof row === 'string') unreadable.push({ line, problem: row });
    else read.push({ line, row });
  }
  const rowsOf = new Map<string, number>();
  for (const { row } of read) rowsOf.set(row.userName, (rowsOf.get(row.userName) ?? 0) + 1);
  const rows: CredentialReportRow[] = [];
  for (const { line, row } of read) {
    if ((rowsOf.get(row.userName) ?? 0) > 1)
      unreadable.push({ line, problem: 'its user name is on another row too' });
    else rows.push(row);
  }
  unreadable.sort((a, b) => a.line - b.line);
  return { rows, unreadable };
}
