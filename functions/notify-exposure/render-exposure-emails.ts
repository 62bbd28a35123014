/**
 * The emails of an exposure run: one to the admins, subject marked [URGENT], and one to each owner of
 * an exposed key, with what to do now (exposure-steps.ts). Laid out with the same blocks as the daily
 * emails (one column, inline styles, at most 720 px wide); masked key IDs only, and a last pass masks
 * anything shaped like a key ID (error texts).
 */
import {
  banner,
  breakable,
  command,
  heading,
  keyValueTable,
  link,
  mono,
  page,
  paragraph,
  richText,
  stackedRow,
  stackedTable,
  unbroken,
  type RenderedEmail,
} from '../shared/email-html';
import type { ExposedKeyResult, ExposureReport } from '../shared/exposure';
import { escapeHtml } from '../shared/html';
import { maskAccessKeyId, redactAccessKeyIds } from '../shared/masking';
import {
  adminSteps,
  day,
  exposureCommands,
  lastUseText,
  minute,
  ownerSteps,
  PLACEHOLDER_PREFIX,
  QUARANTINE_POLICY,
  whatHappened,
  type Step,
} from './exposure-steps';

/** Masked key IDs and ID placeholders in monospace, dates unbroken. */
const TOKEN = new RegExp(
  `(?:AKIA|ASIA)\\*+[A-Z0-9]{4}|${PLACEHOLDER_PREFIX}[A-Z0-9]{4}|\\d{4}-\\d{2}-\\d{2}( \\d{2}:\\d{2} UTC)?`,
  'g',
);
const rich = (text: string) => richText(text, TOKEN, (t) => (/^\d/.test(t) ? unbroken(t) : mono(t)));

const stepHtml = (step: Step) => `${rich(step.text)}${step.commands.map(command).join('')}`;
const stepsHtml = (steps: readonly Step[]) =>
  `<ol style="margin:8px 0;padding-left:20px">${steps.map((s) => `<li style="margin:6px 0">${stepHtml(s)}</li>`).join('')}</ol>`;
const stepsText = (steps: readonly Step[]) =>
  steps.flatMap((s, i) => [`${i + 1}. ${s.text}`, ...s.commands.map((c) => `     ${c}`)]);

const finish = (email: RenderedEmail): RenderedEmail => ({
  subject: redactAccessKeyIds(email.subject),
  html: redactAccessKeyIds(email.html),
  text: redactAccessKeyIds(email.text.endsWith('\n') ? email.text : `${email.text}\n`),
});

const CHANGED = new Set<ExposedKeyResult['result']>(['deactivated']);

/** "exposed access key AKIA…MPLE of alice deactivated", or the counts of several keys. */
function summary(keys: readonly ExposedKeyResult[]): string {
  if (keys.length === 1 && keys[0]) {
    const k = keys[0];
    const what: Record<ExposedKeyResult['result'], string> = {
      deactivated: 'deactivated',
      'already-inactive': 'was inactive already',
      gone: 'was already deleted',
      reported: 'NOT deactivated (exposedKeys is "report")',
      'not-a-user-key': 'is no IAM user key',
      failed: 'could NOT be deactivated',
      repeat: 'handled before',
      elsewhere: 'being handled',
    };
    const owner = k.userName ? ` of ${k.userName}` : '';
    return `exposed access key ${maskAccessKeyId(k.accessKeyId)}${owner} ${what[k.result]}`;
  }
  const count = (kind: ExposedKeyResult['result']) => keys.filter((k) => k.result === kind).length;
  const parts = [
    `${count('deactivated')} exposed access keys deactivated`,
    ...(count('failed') ? [`${count('failed')} FAILED`] : []),
    ...(count('reported') ? [`${count('reported')} NOT deactivated (exposedKeys is "report")`] : []),
    ...(count('already-inactive') ? [`${count('already-inactive')} inactive already`] : []),
    ...(count('gone') ? [`${count('gone')} already deleted`] : []),
  ];
  return parts.join(', ');
}

function keyFields(key: ExposedKeyResult, report: ExposureReport): [string, string][] {
  return [
    ...(key.accountId !== report.hubAccountId ? [['Account', key.accountId] as [string, string]] : []),
    ['What keysweep did', whatHappened(key)],
    ...(key.exemption ? [['Exemption overridden', key.exemption] as [string, string]] : []),
    ['Last used', lastUseText(key)],
    ...(key.createDate ? [['Created', day(key.createDate)] as [string, string]] : []),
    ['Owner', key.ownerEmail ?? (key.userName ? 'no address in the owner tag' : 'unknown')],
  ];
}

function keyRow(key: ExposedKeyResult, report: ExposureReport): { html: string; text: string } {
  const fields = keyFields(key, report);
  const head = `<b>${escapeHtml(key.userName ?? '(no user)')}</b> ${mono(maskAccessKeyId(key.accessKeyId))}`;
  const detail = fields.map(([label, value]) => `${escapeHtml(label)}: ${rich(value)}`).join('<br>');
  return {
    html: stackedRow(head, detail),
    text: [
      `- User: ${key.userName ?? '(no user)'} | Access key: ${maskAccessKeyId(key.accessKeyId)}`,
      ...fields.map(([label, value]) => `    ${label}: ${value}`),
    ].join('\n'),
  };
}

export function renderExposureAdminEmail(report: ExposureReport, location: string): RenderedEmail {
  const keys = report.keys.filter(
    (k) => k.firstHandling && k.result !== 'repeat' && k.result !== 'elsewhere',
  );
  const others = report.keys.filter((k) => !keys.includes(k));
  const account = report.event.affectedAccount;
  const subject = `keysweep [URGENT] ${account}: ${summary(keys)}`;
  const allDone = keys.every(
    (k) => CHANGED.has(k.result) || k.result === 'already-inactive' || k.result === 'gone',
  );
  const lead =
    `AWS Health reported ${keys.length === 1 ? 'an access key' : `${keys.length} access keys`} of account ${account} ` +
    `as exposed in public (event of ${minute(report.event.time)}). ` +
    (allDone
      ? 'No exposed key is active any more.'
      : 'At least one exposed key is STILL ACTIVE: deactivate it now (below).');
  const steps = adminSteps(keys);
  const owners = report.notifications.owners;
  const ownerLines =
    owners.length === 0
      ? ['No owner email: no exposed key has a known owner with an address.']
      : owners.map(
          (o) =>
            `${o.userName}${o.accountId === report.hubAccountId ? '' : ` (${o.accountId})`}: ${o.status}`,
        );
  const facts: [string, string][] = [
    ['Event', report.event.eventArn],
    ['Affected account', account],
    ['Delivered to', report.event.account],
    ['exposedKeys', report.exposedKeys],
  ];
  const execution = report.consoleUrl ?? report.executionId;
  const rows = keys.map((k) => keyRow(k, report));
  const otherRows = others.map((k) => `${maskAccessKeyId(k.accessKeyId)}: ${k.detail ?? k.result}`);
  const footer = `keysweep ${report.keysweepVersion} - exposure run ${report.executionName}`;

  const text = [
    subject,
    '',
    `!! ${lead}`,
    '',
    `== Exposed keys (${keys.length}) ==`,
    ...rows.map((r) => r.text),
    '',
    '== What to do now ==',
    ...stepsText(steps),
    `A command names a key by ${PLACEHOLDER_PREFIX} and its last four characters: ${exposureCommands.list('<user>')} lists the full IDs (run it as an identity other than the exposed user: ${QUARANTINE_POLICY} denies that user much).`,
    '',
    '== Owner notifications ==',
    ...ownerLines,
    ...(otherRows.length ? ['', '== Also in this event, handled before or elsewhere ==', ...otherRows] : []),
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    `Execution: ${execution}`,
    `Record: ${location}`,
    '',
    footer,
  ].join('\n');

  const executionHtml = report.consoleUrl
    ? link(report.consoleUrl, report.executionName)
    : breakable(report.executionId);
  const html = page(subject, [
    heading(subject, 1),
    banner(lead, 'alert'),
    heading(`Exposed keys (${keys.length})`),
    stackedTable(rows.map((r) => r.html)),
    heading('What to do now'),
    stepsHtml(steps),
    paragraph(
      rich(
        `A command names a key by ${PLACEHOLDER_PREFIX} and its last four characters; this lists the full IDs (run it as an identity other than the exposed user: ${QUARANTINE_POLICY} denies that user much):`,
      ),
    ),
    command(exposureCommands.list('<user>')),
    heading('Owner notifications'),
    ...ownerLines.map((l) => paragraph(escapeHtml(l))),
    ...(otherRows.length
      ? [
          heading('Also in this event, handled before or elsewhere'),
          ...otherRows.map((l) => paragraph(rich(l))),
        ]
      : []),
    keyValueTable(facts.map(([k, v]) => [k, v])),
    paragraph(`Execution: ${executionHtml}<br>Record: ${breakable(location)}`),
    paragraph(escapeHtml(footer), 'color:#777;font-size:12px;margin-top:18px'),
  ]);
  return finish({ subject, html, text });
}

export interface OwnerContext {
  adminEmails: readonly string[];
  version: string;
  eventTime: string;
}

/** The email to the owner of one exposed key. */
export function renderExposureOwnerEmail(key: ExposedKeyResult, context: OwnerContext): RenderedEmail {
  const user = key.userName ?? '';
  const id = maskAccessKeyId(key.accessKeyId);
  const subject =
    key.result === 'deactivated' || key.result === 'already-inactive'
      ? `keysweep [URGENT]: access key ${id} of IAM user ${user} was exposed in public and is deactivated`
      : `keysweep [URGENT]: access key ${id} of IAM user ${user} was exposed in public: deactivate it now`;
  const facts = [
    `AWS found access key ${id} of IAM user ${user} (AWS account ${key.accountId}) in public, in a public code repository for example (reported ${minute(context.eventTime)}). Whoever found it there can use it.`,
    whatHappened(key),
    ...(key.exemption
      ? [
          `Your exemption (${key.exemption}) does not protect an exposed key: keysweep deactivates it whatever the exemption.`,
        ]
      : []),
    `AWS has attached its quarantine policy ${QUARANTINE_POLICY} to ${user}: it denies ${user}, among others, creating access keys and looking up CloudTrail. Run the commands below as another identity (your admin or SSO role), or ask the admins.`,
  ];
  const steps = ownerSteps(key);
  const fullIds = `A command names a key by ${PLACEHOLDER_PREFIX} and the last four characters of its ID: put the key's full ID there. This lists your keys with their full IDs:`;
  const contact = `Questions, or a key you cannot replace at once: write to ${context.adminEmails.join(', ')}.`;
  const text = [
    `Hello ${user},`,
    '',
    ...facts.map((f) => `- ${f}`),
    '',
    'What to do now:',
    ...stepsText(steps),
    '',
    fullIds,
    `     ${exposureCommands.list(user)}`,
    '',
    contact,
    '',
    `keysweep ${context.version}`,
  ].join('\n');
  const html = page(subject, [
    heading(subject, 1),
    paragraph(`Hello ${escapeHtml(user)},`),
    `<ul style="margin:8px 0;padding-left:20px">${facts.map((f) => `<li style="margin:4px 0">${rich(f)}</li>`).join('')}</ul>`,
    heading('What to do now'),
    stepsHtml(steps),
    paragraph(rich(fullIds)),
    command(exposureCommands.list(user)),
    paragraph(escapeHtml(contact)),
    paragraph(`keysweep ${escapeHtml(context.version)}`, 'color:#777;font-size:12px'),
  ]);
  return finish({ subject, html, text });
}
