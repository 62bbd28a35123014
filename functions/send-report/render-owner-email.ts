/**
 * The email to one key owner: only their own keys (masked), what happened or will happen to each,
 * and the steps that fit the user's keys (owner-email-plan.ts). Plain words; no other user's data.
 */
import { escapeHtml } from '../shared/html';
import { redactAccessKeyIds } from '../shared/masking';
import { command, heading, mono, page, paragraph, richText, unbroken } from '../shared/email-html';
import {
  commands,
  notifiesOwner,
  planOwnerEmail,
  PLACEHOLDER_PREFIX,
  type OwnerPolicy,
  type Step,
} from './owner-email-plan';
import type { RenderedEmail } from './render-admin-email';
import type { ReportEntry } from './report-model';

export { notifiesOwner } from './owner-email-plan';

export interface OwnerEmailContext {
  accountId: string | null;
  adminEmails: readonly string[];
  runDay: string;
  version: string;
  policy: OwnerPolicy;
}

/** Masked key IDs and ID placeholders (in monospace) and dates in a sentence: none of them breaks. */
const TOKEN = new RegExp(
  `(?:AKIA|ASIA)\\*+[A-Z0-9]{4}|${PLACEHOLDER_PREFIX}(?:[A-Z0-9]{4})?|\\d{4}-\\d{2}-\\d{2}`,
  'g',
);
const rich = (text: string) => richText(text, TOKEN, (t) => (/^\d/.test(t) ? unbroken(t) : mono(t)));

const stepHtml = (step: Step) => `${rich(step.text)}${step.commands.map(command).join('')}`;

/** Numbered steps; a single one is a plain paragraph. */
function stepsHtml(steps: readonly Step[]): string {
  if (steps.length === 1 && steps[0]) return `<div style="margin:8px 0">${stepHtml(steps[0])}</div>`;
  const items = steps.map((s) => `<li style="margin:6px 0">${stepHtml(s)}</li>`).join('');
  return `<ol style="margin:8px 0;padding-left:20px">${items}</ol>`;
}

/**
 * @param entries every entry of the user in the report: the notified ones and the user's other
 *   keys, which decide the steps (a free slot for a new key, another key to switch to)
 */
export function renderOwnerEmail(
  userName: string,
  entries: readonly ReportEntry[],
  context: OwnerEmailContext,
): RenderedEmail {
  const notified = entries.filter(notifiesOwner);
  const changed = notified.filter((e) => e.action !== 'warn').length;
  const account = context.accountId ? `AWS account ${context.accountId}` : 'your AWS account';
  const subject =
    changed > 0
      ? `keysweep: ${changed === 1 ? 'an access key' : `${changed} access keys`} of IAM user ${userName} changed today`
      : `keysweep: ${notified.length === 1 ? 'an access key' : `${notified.length} access keys`} of IAM user ${userName} will be ${notified.every((e) => e.rule === 'delete') ? 'deleted' : 'deactivated'} soon`;
  const plan = planOwnerEmail(userName, entries, context.policy);
  const intro = `keysweep keeps the IAM access keys of ${account} from getting old. On ${context.runDay} it found:`;
  const fullIds = plan.needsFullIds
    ? {
        before: `A command names a key by ${PLACEHOLDER_PREFIX} and the last four characters of its ID: put the key's full ID there. This lists your keys with their full IDs:`,
        command: commands.list(userName),
        after: `The IAM console shows them too, under Users > ${userName} > Security credentials, where each step can also be done.`,
      }
    : null;
  const contact = `Questions, or a key that must stay active for a while: write to ${context.adminEmails.join(', ')}.`;

  const text = [
    `Hello ${userName},`,
    '',
    intro,
    '',
    ...plan.facts.map((f) => `- ${f}`),
    '',
    'What to do:',
    ...plan.steps.flatMap((s, i) => [
      `${plan.steps.length > 1 ? `${i + 1}. ` : ''}${s.text}`,
      ...s.commands.map((c) => `     ${c}`),
    ]),
    ...(fullIds ? ['', fullIds.before, `     ${fullIds.command}`, fullIds.after] : []),
    '',
    contact,
    '',
    `keysweep ${context.version}`,
  ].join('\n');

  const html = page(subject, [
    paragraph(`Hello ${escapeHtml(userName)},`),
    paragraph(rich(intro)),
    `<ul style="margin:8px 0;padding-left:20px">${plan.facts.map((f) => `<li style="margin:4px 0">${rich(f)}</li>`).join('')}</ul>`,
    heading('What to do'),
    stepsHtml(plan.steps),
    ...(fullIds
      ? [paragraph(rich(fullIds.before)), command(fullIds.command), paragraph(escapeHtml(fullIds.after))]
      : []),
    paragraph(escapeHtml(contact)),
    paragraph(`keysweep ${escapeHtml(context.version)}`, 'color:#777;font-size:12px'),
  ]);
  return {
    subject: redactAccessKeyIds(subject),
    html: redactAccessKeyIds(html),
    text: redactAccessKeyIds(`${text}\n`),
  };
}
