/**
 * The admins' summary email, HTML and plain text, from the report. Key IDs appear masked only:
 * tables use the masked ID, and a last pass masks anything shaped like a key ID (error texts).
 */
import { redactAccessKeyIds } from '../shared/masking';
import type { Report, ReportEntry } from './report-model';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/**
 * Rows shown per table; the rest are in report.json. Every affected key is named up to this many
 * a section; at about 450 bytes a row (HTML and text), the largest email stays far below SES's
 * 10 MB message limit.
 */
export const MAX_ROWS = 1000;

interface Column {
  title: string;
  value: (entry: ReportEntry) => string;
}

interface Section {
  title: string;
  note?: string;
  columns: Column[];
  entries: ReportEntry[];
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The last use as a day; a null from the credential report is N/A there (not used before the report). */
export function lastUsedText(entry: Pick<ReportEntry, 'lastUsedDate' | 'lastUsedSource'>): string {
  if (entry.lastUsedDate !== null) return entry.lastUsedDate.slice(0, 10);
  return entry.lastUsedSource === 'iam' ? 'never' : 'N/A (credential report)';
}

const col = {
  user: { title: 'User', value: (e: ReportEntry) => e.userName },
  key: { title: 'Access key', value: (e: ReportEntry) => e.maskedAccessKeyId },
  age: { title: 'Age (days)', value: (e: ReportEntry) => String(e.ageDays) },
  lastUsed: { title: 'Last used', value: lastUsedText },
  reason: { title: 'Reason', value: (e: ReportEntry) => e.reason },
  detail: { title: 'What happened', value: (e: ReportEntry) => e.detail ?? '' },
  error: { title: 'Error', value: (e: ReportEntry) => e.error ?? '' },
  action: { title: 'Planned action', value: (e: ReportEntry) => e.action },
  deadline: { title: 'Deactivation on', value: (e: ReportEntry) => e.deactivationDate ?? '' },
  deletion: { title: 'Deletion on', value: (e: ReportEntry) => e.deletionDate ?? '' },
  inactiveSince: {
    title: 'Seen inactive since',
    value: (e: ReportEntry) => e.inactiveSince?.slice(0, 10) ?? '',
  },
  exemption: { title: 'Exemption', value: (e: ReportEntry) => e.exemption?.description ?? '' },
  until: { title: 'Until', value: (e: ReportEntry) => e.exemption?.until ?? 'no end date' },
} satisfies Record<string, Column>;

function verb(report: Report, action: 'deactivate' | 'delete'): { done: string; planned: string } {
  const past = action === 'deactivate' ? 'Deactivated' : 'Deleted';
  const would = action === 'deactivate' ? 'Would deactivate' : 'Would delete';
  return {
    done: past,
    planned: report.mode === 'report' || report.limitExceeded ? would : `Planned to ${action}`,
  };
}

function sections(report: Report): Section[] {
  const of = (pred: (e: ReportEntry) => boolean) => report.entries.filter(pred);
  const list: Section[] = [
    {
      title: 'Failed',
      note: 'These keys could not be handled; check each one by hand.',
      columns: [col.user, col.key, col.action, col.error],
      entries: of((e) => e.result === 'failed'),
    },
  ];
  for (const action of ['deactivate', 'delete'] as const) {
    const words = verb(report, action);
    list.push(
      {
        title: words.done,
        columns: [col.user, col.key, col.age, col.lastUsed, col.reason],
        entries: of((e) => e.action === action && e.result === 'done'),
      },
      {
        title: words.planned,
        columns: [col.user, col.key, col.age, col.lastUsed, col.reason],
        entries: of(
          (e) =>
            e.action === action &&
            (e.result === 'dry-run' || (report.limitExceeded && e.result === 'skipped')),
        ),
      },
      {
        title: `${words.planned}, skipped on re-check`,
        note: 'The key had changed since it was examined (someone acted on it, or it is gone).',
        columns: [col.user, col.key, col.age, col.detail],
        entries: of((e) => e.action === action && e.result === 'skipped' && !report.limitExceeded),
      },
    );
  }
  list.push(
    {
      title: 'Warned: deactivation coming',
      columns: [col.user, col.key, col.age, col.lastUsed, col.deadline],
      entries: of((e) => e.action === 'warn' && e.rule !== 'delete'),
    },
    {
      title: 'Warned: deletion coming',
      note: 'Inactive keys that keysweep will delete on that day unless they are re-activated or exempted.',
      columns: [col.user, col.key, col.age, col.inactiveSince, col.deletion],
      entries: of((e) => e.action === 'warn' && e.rule === 'delete'),
    },
    {
      title: 'Exempt',
      columns: [col.user, col.key, col.age, col.lastUsed, col.exemption, col.until],
      entries: of((e) => e.action === 'exempt'),
    },
  );
  return list.filter((section) => section.entries.length > 0);
}

function banners(report: Report): string[] {
  const lines: string[] = [];
  if (report.mode === 'report') {
    lines.push(
      `REPORT MODE: nothing was changed. This is what keysweep would do${report.modeSource === 'input' ? ' (report mode was requested by the execution input)' : ''}.`,
    );
  }
  if (report.mode === 'report' && report.overLimit) {
    lines.push(
      `Enforcing this run would plan ${report.plannedActions} deactivations and deletions, more than maxActionsPerRun (${report.policy.maxActionsPerRun}): the circuit breaker would stop it and change nothing.`,
    );
  }
  if (report.deletionPaused !== null) lines.push(`DELETION PAUSED: ${report.deletionPaused}.`);
  if (
    report.outcome === 'action-limit-exceeded' ||
    report.outcome === 'sweep-failed' ||
    report.outcome === 'keys-failed'
  ) {
    lines.push(report.cause);
  }
  return lines;
}

function summaryRows(report: Report): [string, string][] {
  const { byAction, byResult } = report.counts;
  const dry = report.mode === 'report' || report.limitExceeded;
  return [
    [
      dry ? 'Would deactivate' : 'Deactivated',
      String(dry ? byAction.deactivate : countDone(report, 'deactivate')),
    ],
    [dry ? 'Would delete' : 'Deleted', String(dry ? byAction.delete : countDone(report, 'delete'))],
    ['Warned', String(byAction.warn)],
    ['Exempt', String(byAction.exempt)],
    ['Failed', String(byResult.failed)],
    ['Skipped on re-check', String(report.limitExceeded ? 0 : byResult.skipped)],
    ['Keys examined', String(report.entries.length)],
    [
      'Users read',
      `${report.usersRead} (${report.discovery.source === 'full-scan' ? 'full scan' : 'credential report candidates'} of ${report.discovery.usersInAccount} users)`,
    ],
    ['Why these users', report.discovery.reason],
  ];
}

function countDone(report: Report, action: 'deactivate' | 'delete'): number {
  return report.entries.filter((e) => e.action === action && e.result === 'done').length;
}

function policyRows(report: Report): [string, string][] {
  const p = report.policy;
  return [
    ['mode', report.mode],
    ['deactivateAfterDays', String(p.deactivateAfterDays)],
    ['warnBeforeDays', String(p.warnBeforeDays)],
    ['unusedAfterDays', p.unusedAfterDays === null ? 'off' : String(p.unusedAfterDays)],
    [
      'deleteAfterDays',
      p.deleteAfterDays === null
        ? 'off'
        : `${p.deleteAfterDays} (days keysweep has seen a key inactive, unused since)`,
    ],
    ['exemptTag', p.exemptTag],
    ['exemptGroups', p.exemptGroups.length === 0 ? 'none' : p.exemptGroups.join(', ')],
    ['maxActionsPerRun', String(p.maxActionsPerRun)],
    ['notifyOwners', p.notifyOwners ? `yes (address in tag ${p.ownerEmailTag})` : 'no'],
  ];
}

/** Lines about the owner emails, for both renderings; empty when notifyOwners is off. */
function ownerLines(report: Report, ownerEmailTag: string): string[] {
  const n = report.ownerNotifications;
  if (!n.enabled) return [];
  if (n.withheld !== null) return [`Owner emails were not sent: ${n.withheld}.`];
  const lines = [`Owner emails sent: ${n.sent.length}${n.sent.length ? ` (${n.sent.join(', ')})` : ''}`];
  if (n.failed.length)
    lines.push(`Owner emails that failed: ${n.failed.map((f) => `${f.userName} (${f.error})`).join('; ')}`);
  if (n.noAddress.length) {
    lines.push(
      `Owners without a valid address in tag ${ownerEmailTag} (not notified): ${n.noAddress.join(', ')}`,
    );
  }
  if (n.notSent.length)
    lines.push(`Owner emails not sent: ${n.notSent.map((x) => `${x.userName} (${x.reason})`).join('; ')}`);
  return lines;
}

function subjectOf(report: Report): string {
  const { byAction, byResult } = report.counts;
  const dry = report.mode === 'report' || report.limitExceeded;
  const parts = dry
    ? [
        `would deactivate ${byAction.deactivate}`,
        ...(byAction.delete ? [`would delete ${byAction.delete}`] : []),
      ]
    : [
        `${countDone(report, 'deactivate')} deactivated`,
        ...(byAction.delete ? [`${countDone(report, 'delete')} deleted`] : []),
      ];
  parts.push(`${byAction.warn} warned`);
  if (byResult.failed > 0) parts.push(`${byResult.failed} FAILED`);
  const tag =
    report.outcome === 'action-limit-exceeded'
      ? ' [ACTION LIMIT EXCEEDED]'
      : report.outcome === 'sweep-failed'
        ? ' [SWEEP FAILED]'
        : report.mode === 'report'
          ? ' [report mode]'
          : '';
  const account = report.accountId ? ` ${report.accountId}` : '';
  return `keysweep${tag}${account} ${report.startedAt.slice(0, 10)}: ${parts.join(', ')}`;
}

function renderText(report: Report, all: Section[], reportLocation: string): string {
  const out: string[] = [subjectOf(report), ''];
  for (const banner of banners(report)) out.push(`!! ${banner}`, '');
  for (const [label, value] of summaryRows(report)) out.push(`${label}: ${value}`);
  for (const section of all) {
    out.push('', `== ${section.title} (${section.entries.length}) ==`);
    if (section.note) out.push(section.note);
    for (const entry of section.entries.slice(0, MAX_ROWS)) {
      out.push(`- ${section.columns.map((c) => `${c.title}: ${c.value(entry)}`).join(' | ')}`);
    }
    if (section.entries.length > MAX_ROWS)
      out.push(`... and ${section.entries.length - MAX_ROWS} more in report.json`);
  }
  if (report.invalidExemptions.length > 0) {
    out.push('', `== Invalid exemptions (${report.invalidExemptions.length}): these exempt nothing ==`);
    for (const x of report.invalidExemptions)
      out.push(`- ${x.userName}: ${report.policy.exemptTag} = "${x.value}" (use YYYY-MM-DD or always)`);
  }
  if (report.usersGone.length > 0) {
    out.push(
      '',
      `== Users deleted during the run (${report.usersGone.length}) ==`,
      report.usersGone.join(', '),
    );
  }
  const owners = ownerLines(report, report.policy.ownerEmailTag);
  if (owners.length > 0) out.push('', '== Owner notifications ==', ...owners);
  out.push('', '== Policy in force ==');
  for (const [k, v] of policyRows(report)) out.push(`${k}: ${v}`);
  out.push('', `Execution: ${report.consoleUrl ?? report.executionId}`, `Full report: ${reportLocation}`);
  out.push('', `keysweep ${report.keysweepVersion} - run ${report.executionName}`);
  return out.join('\n') + '\n';
}

function htmlTable(headers: string[], rows: string[][]): string {
  const th = headers
    .map(
      (h) => `<th style="text-align:left;border-bottom:1px solid #ccc;padding:4px 8px">${escapeHtml(h)}</th>`,
    )
    .join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c) => `<td style="padding:4px 8px;border-bottom:1px solid #eee">${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table style="border-collapse:collapse;font-size:13px">\n<tr>${th}</tr>\n${body}\n</table>`;
}

function renderHtml(report: Report, all: Section[], reportLocation: string): string {
  const parts: string[] = [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>keysweep report</title></head>',
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222">',
    `<h1 style="font-size:20px">${escapeHtml(subjectOf(report))}</h1>`,
  ];
  for (const banner of banners(report)) {
    parts.push(
      `<p style="background:#fff3cd;border:1px solid #e0c36c;padding:8px"><strong>${escapeHtml(banner)}</strong></p>`,
    );
  }
  parts.push(htmlTable(['', 'Keys'], summaryRows(report)));
  for (const section of all) {
    parts.push(`<h2 style="font-size:16px">${escapeHtml(section.title)} (${section.entries.length})</h2>`);
    if (section.note) parts.push(`<p>${escapeHtml(section.note)}</p>`);
    parts.push(
      htmlTable(
        section.columns.map((c) => c.title),
        section.entries.slice(0, MAX_ROWS).map((e) => section.columns.map((c) => c.value(e))),
      ),
    );
    if (section.entries.length > MAX_ROWS) {
      parts.push(`<p>... and ${section.entries.length - MAX_ROWS} more in report.json</p>`);
    }
  }
  if (report.invalidExemptions.length > 0) {
    parts.push(`<h2 style="font-size:16px">Invalid exemptions (${report.invalidExemptions.length})</h2>`);
    parts.push(`<p>These tag values exempt nothing. Use a date (YYYY-MM-DD) or <code>always</code>.</p>`);
    parts.push(
      htmlTable(
        ['User', `Tag ${report.policy.exemptTag}`],
        report.invalidExemptions.map((x) => [x.userName, x.value]),
      ),
    );
  }
  if (report.usersGone.length > 0) {
    parts.push(`<h2 style="font-size:16px">Users deleted during the run (${report.usersGone.length})</h2>`);
    parts.push(`<p>${escapeHtml(report.usersGone.join(', '))}</p>`);
  }
  const owners = ownerLines(report, report.policy.ownerEmailTag);
  if (owners.length > 0) {
    parts.push(
      '<h2 style="font-size:16px">Owner notifications</h2>',
      `<ul>${owners.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
    );
  }
  parts.push(
    '<h2 style="font-size:16px">Policy in force</h2>',
    htmlTable(['Setting', 'Value'], policyRows(report)),
  );
  const execution = report.consoleUrl
    ? `<a href="${escapeHtml(report.consoleUrl)}">${escapeHtml(report.executionName)}</a>`
    : escapeHtml(report.executionId);
  parts.push(
    `<p>Execution: ${execution}<br>Full report: ${escapeHtml(reportLocation)}</p>`,
    `<p style="color:#777;font-size:12px">keysweep ${escapeHtml(report.keysweepVersion)}</p>`,
    '</body></html>',
  );
  return parts.join('\n');
}

export function renderAdminEmail(report: Report, reportLocation: string): RenderedEmail {
  const all = sections(report);
  return {
    subject: redactAccessKeyIds(subjectOf(report)),
    html: redactAccessKeyIds(renderHtml(report, all, reportLocation)),
    text: redactAccessKeyIds(renderText(report, all, reportLocation)),
  };
}
