/**
 * The organization summary email: one a run, to the organization's admins (adminEmails). What an
 * admin must see comes first (why the run failed, the breaker, the accounts that could not be
 * reached), then the totals and links, then the lists, which share what is left of the 100 KB
 * budget a row of each in turn (email-budget.ts): under MAX_HTML_BYTES whatever the number of
 * accounts, with "... and N more in the report" where a list is cut.
 */
import { redactAccessKeyIds } from '../shared/masking';
import { allocateRows, byteLength, MAX_HTML_BYTES } from '../shared/email-budget';
import {
  banner,
  breakable,
  heading,
  keyValueTable,
  link,
  page,
  paragraph,
  stackedRow,
  stackedTable,
} from '../shared/email-html';
import type { RenderedEmail } from '../shared/email-html';
import { escapeHtml } from '../shared/html';
import type { AccountLine, OrganizationReport } from './organization-report';

/** Accounts named in "most keys out of policy". */
export const TOP_ACCOUNTS = 10;
const SAFETY_BYTES = 2_000;

interface Row {
  html: string;
  text: string;
}
interface List {
  title: string;
  rows: Row[];
}

const accountLabel = (a: { name: string; accountId: string }) => `${a.name} (${a.accountId})`;

function countsText(a: AccountLine): string {
  if (!a.counts) return 'no counts';
  const { byAction, byResult } = a.counts;
  const deactivated =
    a.mode === 'report'
      ? `${byAction.deactivate} would deactivate`
      : `${byResult.done} done of ${byAction.deactivate + byAction.delete} planned`;
  return `${deactivated}, ${byAction.warn} warned, ${byAction.exempt} exempt, ${byResult.failed} failed`;
}

function row(head: string, detail: string): Row {
  return {
    html: stackedRow(`<strong>${escapeHtml(head)}</strong>`, escapeHtml(detail)),
    text: `- ${head}: ${detail}`,
  };
}

function listsOf(report: OrganizationReport): List[] {
  const notOk = report.accounts.filter((a) => a.status !== 'ok' && a.status !== 'held');
  const held = report.accounts.filter((a) => a.status === 'held');
  return [
    {
      title: 'Accounts not swept: unreachable or failed',
      rows: notOk.map((a) => row(`${accountLabel(a)} ${a.status}`, `${a.ouPath}: ${a.reason}`)),
    },
    {
      title: "Held by the organization's action limit (nothing changed)",
      rows: held.map((a) => row(accountLabel(a), `${a.ouPath}: ${a.outOfPolicy} planned changes`)),
    },
    {
      title: 'Every account swept',
      rows: report.accounts.map((a) =>
        row(accountLabel(a), `${a.ouPath}, ${a.mode}: ${a.status}; ${countsText(a)}`),
      ),
    },
    {
      title: 'Accounts left out',
      rows: report.skipped.map((s) =>
        row(`${s.name} (${s.accountId})`, `${s.ouPath}: ${s.why} (${s.status})`),
      ),
    },
  ];
}

export function subjectOf(report: OrganizationReport): string {
  const tag =
    report.outcome === 'action-limit-exceeded'
      ? ' [ORGANIZATION ACTION LIMIT EXCEEDED]'
      : report.outcome === 'sweep-failed'
        ? ' [SWEEP FAILED]'
        : report.outcome === 'accounts-failed'
          ? ' [ACCOUNTS FAILED]'
          : '';
  const t = report.totals;
  const parts = [`${t.accountsSwept} accounts`];
  if (t.unreachable > 0) parts.push(`${t.unreachable} unreachable`);
  parts.push(`${t.byResult.done} keys changed`, `${t.byAction.warn} warned`);
  return `keysweep${tag} organization ${report.organizationId} ${report.startedAt.slice(0, 10)}: ${parts.join(', ')}`;
}

function totalsRows(report: OrganizationReport): [string, string][] {
  const t = report.totals;
  return [
    ['Accounts swept', String(t.accountsSwept)],
    ['Swept without failure', String(t.ok)],
    ['Could not be reached', String(t.unreachable)],
    ['Failed', String(t.failed + t.notRun)],
    ['Held by the organization limit', String(t.held)],
    ['Left out (suspended, excluded, outside the OUs)', String(t.skipped)],
    ['Keys deactivated or deleted', String(t.byResult.done)],
    ['Planned deactivations and deletions', String(t.byAction.deactivate + t.byAction.delete)],
    ['Warned', String(t.byAction.warn)],
    ['Exempt', String(t.byAction.exempt)],
    ['Keys failed', String(t.byResult.failed)],
  ];
}

function bannersOf(report: OrganizationReport): string[] {
  const out: string[] = [];
  if (report.cause) out.push(report.cause);
  return out;
}

function topAccounts(report: OrganizationReport): AccountLine[] {
  return [...report.accounts]
    .filter((a) => a.outOfPolicy > 0)
    .sort((a, b) => b.outOfPolicy - a.outOfPolicy || a.accountId.localeCompare(b.accountId))
    .slice(0, TOP_ACCOUNTS);
}

function renderHtml(report: OrganizationReport, lists: List[], shown: number[], location: string): string {
  const parts: string[] = [heading(subjectOf(report), 1)];
  for (const text of bannersOf(report)) parts.push(banner(text, 'alert'));
  parts.push(heading('Totals'), keyValueTable(totalsRows(report)));
  parts.push(
    paragraph(
      report.consoleUrl
        ? `Organization run: ${link(report.consoleUrl, report.executionName)}`
        : `Organization run: ${escapeHtml(report.executionName)}`,
    ),
    paragraph(
      `Report: ${breakable(location)}; each account's full report is under its accounts/&lt;id&gt;/ folder there.`,
    ),
  );
  const top = topAccounts(report);
  if (top.length > 0) {
    parts.push(heading('Accounts with the most keys out of policy'));
    parts.push(
      stackedTable(
        top.map(
          (a) => row(accountLabel(a), `${a.outOfPolicy} to deactivate or delete; ${countsText(a)}`).html,
        ),
      ),
    );
  }
  lists.forEach((list, i) => {
    if (list.rows.length === 0) return;
    const n = shown[i] ?? 0;
    parts.push(heading(`${list.title} (${list.rows.length})`));
    if (n > 0) parts.push(stackedTable(list.rows.slice(0, n).map((r) => r.html)));
    if (n < list.rows.length)
      parts.push(paragraph(`... and ${list.rows.length - n} more in the report, ${breakable(location)}`));
  });
  parts.push(
    paragraph(
      escapeHtml(`keysweep ${report.keysweepVersion} - organization run ${report.executionName}`),
      'color:#777;font-size:12px;margin-top:18px',
    ),
  );
  return page('keysweep organization report', parts);
}

function renderText(report: OrganizationReport, lists: List[], shown: number[], location: string): string {
  const out = [subjectOf(report), ''];
  for (const text of bannersOf(report)) out.push(`!! ${text}`, '');
  out.push('Totals', ...totalsRows(report).map(([k, v]) => `  ${k}: ${v}`), '');
  out.push(`Organization run: ${report.consoleUrl ?? report.executionName}`, `Report: ${location}`, '');
  const top = topAccounts(report);
  if (top.length > 0) {
    out.push('Accounts with the most keys out of policy');
    for (const a of top) out.push(`- ${accountLabel(a)}: ${a.outOfPolicy} to deactivate or delete`);
    out.push('');
  }
  lists.forEach((list, i) => {
    if (list.rows.length === 0) return;
    const n = shown[i] ?? 0;
    out.push(`${list.title} (${list.rows.length})`, ...list.rows.slice(0, n).map((r) => r.text));
    if (n < list.rows.length) out.push(`... and ${list.rows.length - n} more in the report, ${location}`);
    out.push('');
  });
  out.push(`keysweep ${report.keysweepVersion} - organization run ${report.executionName}`);
  return out.join('\n');
}

export function renderOrganizationEmail(report: OrganizationReport, reportLocation: string): RenderedEmail {
  const lists = listsOf(report);
  const bare = renderHtml(
    report,
    lists,
    lists.map(() => 0),
    reportLocation,
  );
  const perList = byteLength(stackedTable([])) + 300;
  const shown = allocateRows(
    lists.map((l) => l.rows.map((r) => Math.max(byteLength(r.html), byteLength(r.text)) + 1)),
    MAX_HTML_BYTES - SAFETY_BYTES - byteLength(bare) - lists.length * perList,
  );
  return {
    subject: redactAccessKeyIds(subjectOf(report)),
    html: redactAccessKeyIds(renderHtml(report, lists, shown, reportLocation)),
    text: redactAccessKeyIds(renderText(report, lists, shown, reportLocation)),
  };
}
