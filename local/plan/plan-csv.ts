/**
 * plan.csv: one row per access key of the plan's report, for a spreadsheet (an organization's plan:
 * of every swept account's report, one file). Key IDs are masked, as everywhere outside report.json.
 *
 * Columns: account, user, access_key_id (masked), age_days, last_used (ISO 8601, or `never`),
 * status (before the run), action (deactivate, delete, warn, exempt, none), rule (age, unused,
 * delete, none), reason, planned_date: the day the action would happen, YYYY-MM-DD (the run's
 * day for a deactivation or deletion, the coming deactivation or deletion for a warning; empty otherwise).
 *
 * RFC 4180: fields with a comma, quote or line break are quoted, CRLF line ends. A field that a
 * spreadsheet would take for a formula (it begins with =, +, -, @, a tab or a carriage return;
 * IAM user names may begin with +, =, - or @) is prefixed with a single quote.
 */
import { redactAccessKeyIds } from '../../functions/shared/masking';
import type { Report, ReportEntry } from '../../functions/send-report/report-model';

export const PLAN_CSV_COLUMNS = [
  'account',
  'user',
  'access_key_id',
  'age_days',
  'last_used',
  'status',
  'action',
  'rule',
  'reason',
  'planned_date',
] as const;

function field(text: string): string {
  // Reasons and names are the policy's own text; masked all the same, as everything outside report.json.
  const value = redactAccessKeyIds(text);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function plannedDate(entry: ReportEntry, runDay: string): string {
  if (entry.action === 'deactivate' || entry.action === 'delete') return runDay;
  if (entry.action === 'warn')
    return (entry.rule === 'delete' ? entry.deletionDate : entry.deactivationDate) ?? '';
  return '';
}

function rowsOf(report: Report): string[][] {
  const runDay = report.startedAt.slice(0, 10);
  return report.entries.map((entry) => [
    report.accountId ?? '',
    entry.userName,
    entry.maskedAccessKeyId,
    String(entry.ageDays),
    entry.lastUsedDate ?? 'never',
    entry.status,
    entry.action,
    entry.rule,
    entry.reason,
    plannedDate(entry, runDay),
  ]);
}

/** One header, then every key of each report (an organization's plan: each swept account's), in order. */
export function planCsv(...reports: Report[]): string {
  const rows = reports.flatMap(rowsOf);
  return [[...PLAN_CSV_COLUMNS], ...rows].map((row) => `${row.map(field).join(',')}\r\n`).join('');
}
