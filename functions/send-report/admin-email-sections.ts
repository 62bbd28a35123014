/**
 * The lists of the admin email, each row rendered once as HTML and once as text, so that the
 * email can be cut to size by the bytes its rows really take (email-budget.ts).
 */
import { escapeHtml } from '../shared/html';
import { mono, richText, stackedRow } from '../shared/email-html';
import { notifiesOwner } from './owner-email-plan';
import type { Report, ReportEntry } from './report-model';

export interface Row {
  html: string;
  text: string;
}

export interface ListSection {
  title: string;
  note?: string;
  rows: Row[];
  /** the rows show a "Last used" field, which the legend explains */
  showsLastUse?: boolean;
}

/** Longest free text (an error, a reason) a row shows; report.json keeps the whole of it. */
const MAX_FIELD_CHARS = 500;

export function clip(text: string, max = MAX_FIELD_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (cut; report.json has the rest)`;
}

/** The last use and where it was read: IAM's GetAccessKeyLastUsed, or the credential report. */
export function lastUsedText(entry: Pick<ReportEntry, 'lastUsedDate' | 'lastUsedSource'>): string {
  const date = entry.lastUsedDate?.slice(0, 10) ?? null;
  if (entry.lastUsedSource === 'iam') return `${date ?? 'never'} (IAM)`;
  return date === null ? 'none in the credential report' : `${date} (credential report)`;
}

export const LAST_USED_LEGEND =
  'Last used: "(IAM)" is what IAM\'s GetAccessKeyLastUsed said during the run; "(credential report)" is ' +
  'the account\'s credential report, up to 4 hours old. "None in the credential report": the report shows ' +
  'no use, and IAM was not asked because the last use cannot change the decision.';

type Field = readonly [label: string, value: string];

/** One row: a head (a user, and a key when the row is about one) and its fields. */
export function row(user: string, key: string | null, fields: readonly Field[]): Row {
  const head = `<b>${escapeHtml(user)}</b>${key === null ? '' : ` ${mono(key)}`}`;
  const detail = fields.map(([label, value]) => `${escapeHtml(label)}: ${richText(clip(value))}`).join(' · ');
  const textHead = [`User: ${user}`, ...(key === null ? [] : [`Access key: ${key}`])];
  return {
    html: stackedRow(head, fields.length === 0 ? null : detail),
    text: `- ${[...textHead, ...fields.map(([label, value]) => `${label}: ${clip(value)}`)].join(' | ')}`,
  };
}

const f = {
  lastUsed: (e: ReportEntry): Field => ['Last used', lastUsedText(e)],
  age: (e: ReportEntry): Field => ['Age (days)', String(e.ageDays)],
  reason: (e: ReportEntry): Field => ['Reason', e.reason],
  detail: (e: ReportEntry): Field => ['What happened', e.detail ?? ''],
  error: (e: ReportEntry): Field => ['Error', e.error ?? ''],
  action: (e: ReportEntry): Field => ['Planned action', e.action],
  deactivation: (e: ReportEntry): Field => ['Deactivation on', e.deactivationDate ?? '?'],
  deletion: (e: ReportEntry): Field => ['Deletion on', e.deletionDate ?? '?'],
  // deletion counts the days keysweep has seen a key inactive, not its age
  inactiveSince: (e: ReportEntry): Field => ['Seen inactive since', e.inactiveSince?.slice(0, 10) ?? '?'],
  exemption: (e: ReportEntry): Field => ['Exemption', e.exemption?.description ?? ''],
  until: (e: ReportEntry): Field => ['Until', e.exemption?.until ?? 'no end date'],
};

function keySection(
  title: string,
  entries: readonly ReportEntry[],
  fields: readonly ((e: ReportEntry) => Field)[],
  note?: string,
): ListSection {
  return {
    title,
    ...(note === undefined ? {} : { note }),
    rows: entries.map((e) =>
      row(
        e.userName,
        e.maskedAccessKeyId,
        fields.map((field) => field(e)),
      ),
    ),
    showsLastUse: fields.includes(f.lastUsed),
  };
}

export function countDone(report: Report, action: 'deactivate' | 'delete'): number {
  return report.entries.filter((e) => e.action === action && e.result === 'done').length;
}

function verb(report: Report, action: 'deactivate' | 'delete'): { done: string; planned: string } {
  const past = action === 'deactivate' ? 'Deactivated' : 'Deleted';
  const would = action === 'deactivate' ? 'Would deactivate' : 'Would delete';
  return {
    done: past,
    planned: report.mode === 'report' || report.limitExceeded ? would : `Planned to ${action}`,
  };
}

export function failedSection(report: Report): ListSection {
  return keySection(
    'Failed',
    report.entries.filter((e) => e.result === 'failed'),
    [f.action, f.error],
    'These keys could not be handled; check each one by hand.',
  );
}

/** What was done, would be done, was skipped, warned about and exempted: the long lists. */
export function keySections(report: Report): ListSection[] {
  const of = (pred: (e: ReportEntry) => boolean) => report.entries.filter(pred);
  const list: ListSection[] = [];
  for (const action of ['deactivate', 'delete'] as const) {
    const words = verb(report, action);
    list.push(
      keySection(
        words.done,
        of((e) => e.action === action && e.result === 'done'),
        [f.reason, f.lastUsed],
      ),
      keySection(
        words.planned,
        of(
          (e) =>
            e.action === action &&
            (e.result === 'dry-run' || (report.limitExceeded && e.result === 'skipped')),
        ),
        [f.reason, f.lastUsed],
      ),
      keySection(
        `${words.planned}, skipped on re-check`,
        of((e) => e.action === action && e.result === 'skipped' && !report.limitExceeded),
        [f.age, f.detail],
        'The key had changed since it was examined (someone acted on it, or it is gone).',
      ),
    );
  }
  const warned = of((e) => e.action === 'warn');
  list.push(
    keySection(
      'Warned: deactivation coming',
      warned.filter((e) => e.rule !== 'delete'),
      [f.deactivation, f.age, f.lastUsed],
    ),
    keySection(
      'Warned: deletion coming',
      warned.filter((e) => e.rule === 'delete'),
      [f.deletion, f.inactiveSince, f.lastUsed],
    ),
    keySection(
      'Exempt',
      of((e) => e.action === 'exempt'),
      [f.exemption, f.until, f.age, f.lastUsed],
    ),
  );
  return list;
}

function change(e: ReportEntry): string {
  if (e.action === 'deactivate') return 'deactivated';
  if (e.action === 'delete') return 'deleted';
  return e.rule === 'delete'
    ? `to be deleted ${e.deletionDate ?? ''}`.trim()
    : `warned, deactivation ${e.deactivationDate ?? ''}`.trim();
}

/** Why the owner of an affected key got no email, or null when they got one. */
function whyNotEmailed(report: Report, userName: string): string | null {
  const n = report.ownerNotifications;
  if (!n.enabled) return 'owner emails are off (notifyOwners)';
  if (n.withheld !== null) return n.withheld;
  const failed = n.failed.find((x) => x.userName === userName);
  if (failed) return `sending failed: ${failed.error}`;
  if (n.noAddress.includes(userName)) return `no valid address in tag ${report.policy.ownerEmailTag}`;
  return n.notSent.find((x) => x.userName === userName)?.reason ?? null;
}

/** The affected keys whose owners were not emailed, by user, so that the admins can tell them. */
export function ownersNotEmailedSection(report: Report): ListSection {
  const byUser = new Map<string, ReportEntry[]>();
  for (const e of report.entries.filter(notifiesOwner))
    byUser.set(e.userName, [...(byUser.get(e.userName) ?? []), e]);
  const rows: Row[] = [];
  for (const [userName, entries] of byUser) {
    const why = whyNotEmailed(report, userName);
    if (why === null) continue;
    const keys = entries.map((e) => `${e.maskedAccessKeyId} ${change(e)}`).join(', ');
    rows.push(
      row(userName, null, [
        ['Keys', keys],
        ['Why', why],
      ]),
    );
  }
  return {
    title: 'Owners not emailed',
    note: 'Their keys were warned about, deactivated or deleted, and nobody told them: tell them yourself.',
    rows,
  };
}

export function invalidExemptionsSection(report: Report): ListSection {
  const tag = report.policy.exemptTag;
  return {
    title: 'Invalid exemptions',
    note: `These values of tag ${tag} exempt nothing. Use a date (YYYY-MM-DD) or always.`,
    rows: report.invalidExemptions.map((x) => ({
      html: stackedRow(
        `<b>${escapeHtml(x.userName)}</b>`,
        `Tag ${escapeHtml(tag)}: ${escapeHtml(clip(x.value))}`,
      ),
      text: `- ${x.userName}: ${tag} = "${clip(x.value)}" (use YYYY-MM-DD or always)`,
    })),
  };
}

export function usersGoneSection(report: Report): ListSection {
  return {
    title: 'Users deleted during the run',
    rows: report.usersGone.map((name) => ({ html: stackedRow(escapeHtml(name), null), text: name })),
  };
}

const EXPOSURE_RESULTS: Record<string, string> = {
  deactivated: 'deactivated at once',
  'already-inactive': 'inactive already',
  gone: 'already deleted',
  reported: 'NOT deactivated (exposedKeys is "report"): deactivate it by hand',
  'not-a-user-key': 'no IAM user key',
  failed: 'could NOT be deactivated: check it by hand',
};

/** Keys AWS Health reported exposed since the last run, and what the exposure path did to each. */
export function exposuresSection(report: Report): ListSection {
  const exposures = report.exposures ?? { entries: [], problem: null };
  const note = [
    'AWS Health reported these access keys as exposed in public; keysweep acted on each when the event came, whatever its age or exemption, and emailed the admins and the owner then.',
    ...(exposures.problem ? [`Incomplete: ${exposures.problem}.`] : []),
  ].join(' ');
  return {
    title: 'Deactivated after exposure since the last run',
    note,
    rows: exposures.entries.map((e) =>
      row(e.userName ?? '(no user)', e.maskedAccessKeyId, [
        ...(e.accountId !== report.accountId ? [['Account', e.accountId] as const] : []),
        ['What happened', `${EXPOSURE_RESULTS[e.result] ?? e.result}${e.error ? ` (${e.error})` : ''}`],
        ['When', `${(e.deactivatedAt ?? e.eventTime).slice(0, 16).replace('T', ' ')} UTC`],
        ...(e.exemption ? [['Exemption overridden', e.exemption] as const] : []),
        ['Exposure run', e.executionName],
      ]),
    ),
  };
}
