/**
 * The admins' summary email, HTML and plain text, from the report. Key IDs appear masked only:
 * lists use the masked ID, and a last pass masks anything shaped like a key ID (error texts).
 *
 * What an admin must see comes first, before any long list: the banners (report mode, the
 * failure cause, a paused deletion), the counts, the execution link and the report's location,
 * the policy, then the failures. The lists share what is left of MAX_HTML_BYTES; one that does
 * not fit shows its first rows and how many more are in the report.
 */
import { escapeHtml } from '../shared/html';
import { redactAccessKeyIds } from '../shared/masking';
import {
  LAST_USED_LEGEND,
  clip,
  countDone,
  exposuresSection,
  failedSection,
  invalidExemptionsSection,
  keySections,
  ownersNotEmailedSection,
  usersGoneSection,
  type ListSection,
} from './admin-email-sections';
import { allocateRows, byteLength, MAX_HTML_BYTES } from '../shared/email-budget';
import {
  banner,
  breakable,
  heading,
  keyValueTable,
  link,
  page,
  paragraph,
  stackedTable,
  type RenderedEmail,
} from '../shared/email-html';
import type { Report } from './report-model';

export type { RenderedEmail } from '../shared/email-html';

export { MAX_HTML_BYTES } from '../shared/email-budget';
/** Room left unused under MAX_HTML_BYTES, for what a client adds when it shows the message. */
const SAFETY_BYTES = 1_000;
/** What a cut list's note may grow by once it shows rows ("… and N more" against "All N are"). */
const LIST_SLACK_BYTES = 32;
/** Longest text of the fixed parts (a failure cause, the discovery reason). */
const MAX_TEXT_CHARS = 2_000;

const dryRun = (report: Report) => report.mode === 'report' || report.limitExceeded;

function banners(report: Report): { text: string; tone: 'warn' | 'alert' }[] {
  const list: { text: string; tone: 'warn' | 'alert' }[] = [];
  if (report.mode === 'report') {
    list.push({
      tone: 'warn',
      text: `REPORT MODE: nothing was changed. This is what keysweep would do${report.modeSource === 'input' ? ' (report mode was requested by the execution input)' : ''}.`,
    });
  }
  if (report.mode === 'report' && report.overLimit) {
    list.push({
      tone: 'warn',
      text: `Enforcing this run would plan ${report.plannedActions} deactivations and deletions, more than maxActionsPerRun (${report.policy.maxActionsPerRun}): the circuit breaker would stop it and change nothing.`,
    });
  }
  if (report.outcome !== 'ok') list.push({ tone: 'alert', text: clip(report.cause, MAX_TEXT_CHARS) });
  if (report.deletionPaused !== null) {
    list.push({
      tone: 'alert',
      text: `DELETION PAUSED: ${clip(report.deletionPaused, MAX_TEXT_CHARS)}. No key was deleted this run.`,
    });
  }
  return list;
}

function summaryRows(report: Report): [string, string][] {
  const { byAction, byResult } = report.counts;
  const dry = dryRun(report);
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
    ['Why these users', clip(report.discovery.reason, MAX_TEXT_CHARS)],
    ...exposureRow(report),
  ];
}

/** The exposed keys since the last run, when there were any. */
function exposureRow(report: Report): [string, string][] {
  const entries = report.exposures?.entries ?? [];
  if (entries.length === 0) return [];
  const deactivated = entries.filter((e) => e.result === 'deactivated').length;
  return [['Exposed keys since the last run', `${entries.length} (${deactivated} deactivated at once)`]];
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
    ['exemptGroups', p.exemptGroups.length === 0 ? 'none' : clip(p.exemptGroups.join(', '), MAX_TEXT_CHARS)],
    ['maxActionsPerRun', String(p.maxActionsPerRun)],
    ['notifyOwners', p.notifyOwners ? `yes (address in tag ${p.ownerEmailTag})` : 'no'],
  ];
}

/** Names up to this many owners who were emailed; beyond, the count (report.json names them). */
const MAX_NAMED_OWNERS = 20;

/** The owner emails in a line or two; who was not emailed is a list of its own. */
function ownerLines(report: Report): string[] {
  const n = report.ownerNotifications;
  if (!n.enabled) return ['Owner emails are off (notifyOwners).'];
  if (n.withheld !== null) return [`Owner emails were not sent: ${n.withheld}.`];
  const names =
    n.sent.length === 0
      ? ''
      : n.sent.length <= MAX_NAMED_OWNERS
        ? ` (${n.sent.join(', ')})`
        : ` (report.json names them)`;
  return [`Owner emails sent: ${n.sent.length}${names}`];
}

function subjectOf(report: Report): string {
  const { byAction, byResult } = report.counts;
  const parts = dryRun(report)
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
  if (report.deletionPaused !== null) parts.push('deletion paused');
  const exposed = report.exposures?.entries.length ?? 0;
  if (exposed > 0) parts.push(`${exposed} exposed since the last run`);
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

/**
 * The lists, in the order they appear. The owner lines stand where the owners' list does (after the
 * failures), the "Last used" legend before the first list of keys.
 */
interface Layout {
  lists: ListSection[];
  ownersAt: number;
  legendAt: number | null;
}

function layoutOf(report: Report): Layout {
  const failed = [failedSection(report)].filter((s) => s.rows.length > 0);
  const exposed = [exposuresSection(report)].filter(
    (s) => s.rows.length > 0 || report.exposures?.problem != null,
  );
  const first = [...failed, ...exposed];
  const owners = [ownersNotEmailedSection(report)].filter((s) => s.rows.length > 0);
  const keys = keySections(report).filter((s) => s.rows.length > 0);
  const rest = [invalidExemptionsSection(report), usersGoneSection(report)].filter((s) => s.rows.length > 0);
  const legend = keys.findIndex((s) => s.showsLastUse);
  return {
    lists: [...first, ...owners, ...keys, ...rest],
    ownersAt: first.length,
    legendAt: legend < 0 ? null : first.length + owners.length + legend,
  };
}

const footer = (report: Report) => `keysweep ${report.keysweepVersion} - run ${report.executionName}`;
const execution = (report: Report) => report.consoleUrl ?? report.executionId;

/** Walks the lists in order, with `before` called for what stands ahead of a list (or at the end). */
function eachBlock(
  layout: Layout,
  before: (what: 'owners' | 'legend') => void,
  list: (s: ListSection, i: number) => void,
): void {
  for (let i = 0; i <= layout.lists.length; i++) {
    if (i === layout.ownersAt) before('owners');
    if (i === layout.legendAt) before('legend');
    const section = layout.lists[i];
    if (section) list(section, i);
  }
}

function renderText(report: Report, layout: Layout, shown: readonly number[], location: string): string {
  const out: string[] = [subjectOf(report), ''];
  for (const b of banners(report)) out.push(`!! ${b.text}`, '');
  for (const [label, value] of summaryRows(report)) out.push(`${label}: ${value}`);
  out.push('', `Execution: ${execution(report)}`, `Full report: ${location}`);
  out.push('', '== Policy in force ==');
  for (const [k, v] of policyRows(report)) out.push(`${k}: ${v}`);
  eachBlock(
    layout,
    (what) =>
      what === 'owners'
        ? out.push('', '== Owner notifications ==', ...ownerLines(report))
        : out.push('', LAST_USED_LEGEND),
    (section, i) => {
      const count = shown[i] ?? 0;
      out.push('', `== ${section.title} (${section.rows.length}) ==`);
      if (section.note) out.push(section.note);
      for (const row of section.rows.slice(0, count)) out.push(row.text);
      const more = section.rows.length - count;
      if (more > 0) {
        out.push(
          `${count === 0 ? `All ${more} are` : `... and ${more} more`} in the report, ${location} (execution: ${execution(report)})`,
        );
      }
    },
  );
  out.push('', footer(report));
  return out.join('\n') + '\n';
}

function renderHtml(report: Report, layout: Layout, shown: readonly number[], location: string): string {
  const parts: string[] = [heading(subjectOf(report), 1)];
  for (const b of banners(report)) parts.push(banner(b.text, b.tone));
  parts.push(keyValueTable(summaryRows(report)));
  const executionHtml = report.consoleUrl
    ? link(report.consoleUrl, report.executionName)
    : breakable(report.executionId);
  const linksHtml = `Execution: ${executionHtml}<br>Full report: ${breakable(location)}`;
  parts.push(paragraph(linksHtml));
  parts.push(heading('Policy in force'), keyValueTable(policyRows(report)));
  eachBlock(
    layout,
    (what) =>
      what === 'owners'
        ? parts.push(
            heading('Owner notifications'),
            ...ownerLines(report).map((l) => paragraph(escapeHtml(l))),
          )
        : parts.push(paragraph(escapeHtml(LAST_USED_LEGEND), 'color:#555;font-size:12px;margin-top:18px')),
    (section, i) => {
      const count = shown[i] ?? 0;
      parts.push(heading(`${section.title} (${section.rows.length})`));
      if (section.note) parts.push(paragraph(escapeHtml(section.note)));
      if (count > 0) parts.push(stackedTable(section.rows.slice(0, count).map((r) => r.html)));
      const more = section.rows.length - count;
      if (more > 0) {
        const lead = count === 0 ? `All ${more} are` : `… and ${more} more`;
        parts.push(paragraph(`${lead} in the report, ${breakable(location)} (execution: ${executionHtml}).`));
      }
    },
  );
  parts.push(paragraph(escapeHtml(footer(report)), 'color:#777;font-size:12px;margin-top:18px'));
  return page('keysweep report', parts);
}

export function renderAdminEmail(report: Report, reportLocation: string): RenderedEmail {
  const location = clip(reportLocation, MAX_TEXT_CHARS);
  const layout = layoutOf(report);
  // The fixed parts, with every list cut to nothing (and so every "in the report" note), plus what a
  // list with rows adds around them (its table, a longer note): what is left of the budget goes to rows.
  const bare = renderHtml(
    report,
    layout,
    layout.lists.map(() => 0),
    location,
  );
  const perList = byteLength(stackedTable([])) + LIST_SLACK_BYTES;
  const shown = allocateRows(
    layout.lists.map((s) => s.rows.map((r) => byteLength(r.html) + 1)),
    MAX_HTML_BYTES - SAFETY_BYTES - byteLength(bare) - layout.lists.length * perList,
  );
  return {
    subject: redactAccessKeyIds(subjectOf(report)),
    html: redactAccessKeyIds(renderHtml(report, layout, shown, location)),
    text: redactAccessKeyIds(renderText(report, layout, shown, location)),
  };
}
