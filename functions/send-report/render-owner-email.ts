/**
 * The email to one key owner: only their own keys (masked), what happened or will happen and
 * when, and how to rotate. Plain words; no other user's data.
 */
import { redactAccessKeyIds } from '../shared/masking';
import type { RenderedEmail } from './render-admin-email';
import type { ReportEntry } from './report-model';

export interface OwnerEmailContext {
  accountId: string | null;
  adminEmails: readonly string[];
  runDay: string;
  version: string;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Whether the owner of this entry is told about it. */
export function notifiesOwner(entry: ReportEntry): boolean {
  return (
    entry.action === 'warn' ||
    ((entry.action === 'deactivate' || entry.action === 'delete') && entry.result === 'done')
  );
}

function whatHappened(entry: ReportEntry): string {
  const lastUsed =
    entry.lastUsedDate === null ? 'never used' : `last used ${entry.lastUsedDate.slice(0, 10)}`;
  const facts = `created ${entry.createDate.slice(0, 10)}, ${lastUsed}`;
  switch (entry.action) {
    case 'deactivate':
      return `${entry.maskedAccessKeyId} (${facts}) was DEACTIVATED today: ${entry.reason}.`;
    case 'delete':
      return `${entry.maskedAccessKeyId} (${facts}) was DELETED today: it had been inactive for long (${entry.reason}).`;
    default:
      if (entry.rule === 'delete') {
        return `${entry.maskedAccessKeyId} (${facts}) is inactive and will be DELETED on or after ${entry.deletionDate ?? 'a date soon'}: ${entry.reason}.`;
      }
      return `${entry.maskedAccessKeyId} (${facts}) will be deactivated on or after ${entry.deactivationDate ?? 'a date soon'} unless it is rotated: ${entry.reason}.`;
  }
}

const CREATE = (userName: string) =>
  `Create a new access key: IAM console > Users > ${userName} > Security credentials > Create access key, or: aws iam create-access-key --user-name ${userName}`;
const SWITCH = 'Switch every application, script and profile that used the old key to the new one.';

/** What the owner should do, for what happened: rotate before, replace after, nothing after a deletion. */
function stepsFor(userName: string, entries: readonly ReportEntry[]): { title: string; steps: string[] } {
  if (entries.some((e) => e.action === 'warn' && e.rule !== 'delete')) {
    return {
      title: 'What to do before then (rotate the key):',
      steps: [
        CREATE(userName),
        SWITCH,
        `Deactivate, then delete the old key: aws iam update-access-key --user-name ${userName} --access-key-id <old key> --status Inactive, then aws iam delete-access-key --user-name ${userName} --access-key-id <old key>`,
      ],
    };
  }
  if (entries.some((e) => e.action === 'deactivate')) {
    return {
      title: 'What to do (replace the key):',
      steps: [
        CREATE(userName),
        SWITCH,
        `Delete the deactivated key once nothing needs it: aws iam delete-access-key --user-name ${userName} --access-key-id <old key>`,
      ],
    };
  }
  if (entries.some((e) => e.action === 'warn')) {
    return {
      title:
        'Nothing to do if nothing needs the inactive key. If it must be kept, ask the admins (below) before that day. If something still needs access:',
      steps: [CREATE(userName), SWITCH],
    };
  }
  return {
    title: 'Nothing to do: the key had been inactive for long. If something still needs access:',
    steps: [CREATE(userName), SWITCH],
  };
}

export function renderOwnerEmail(
  userName: string,
  entries: readonly ReportEntry[],
  context: OwnerEmailContext,
): RenderedEmail {
  const changed = entries.filter((e) => e.action !== 'warn').length;
  const account = context.accountId ? `AWS account ${context.accountId}` : 'your AWS account';
  const subject =
    changed > 0
      ? `keysweep: ${changed === 1 ? 'an access key' : `${changed} access keys`} of IAM user ${userName} changed today`
      : `keysweep: ${entries.length === 1 ? 'an access key' : `${entries.length} access keys`} of IAM user ${userName} will be ${entries.every((e) => e.rule === 'delete') ? 'deleted' : 'deactivated'} soon`;
  const intro = `Hello ${userName},\n\nkeysweep keeps the IAM access keys of ${account} from getting old. On ${context.runDay} it found:`;
  const contact = `Questions, or a key that must stay active for a while: write to ${context.adminEmails.join(', ')}.`;
  const { title, steps } = stepsFor(userName, entries);
  const text = [
    intro,
    '',
    ...entries.map((e) => `- ${whatHappened(e)}`),
    '',
    title,
    ...steps.map((s, i) => `${i + 1}. ${s}`),
    '',
    contact,
    '',
    `keysweep ${context.version}`,
  ].join('\n');
  const html = [
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>keysweep</title></head>',
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222">',
    `<p>${escapeHtml(intro).replace(/\n/g, '<br>')}</p>`,
    `<ul>${entries.map((e) => `<li>${escapeHtml(whatHappened(e))}</li>`).join('')}</ul>`,
    `<p><strong>${escapeHtml(title)}</strong></p>`,
    `<ol>${steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`,
    `<p>${escapeHtml(contact)}</p>`,
    `<p style="color:#777;font-size:12px">keysweep ${escapeHtml(context.version)}</p>`,
    '</body></html>',
  ].join('\n');
  return {
    subject: redactAccessKeyIds(subject),
    html: redactAccessKeyIds(html),
    text: redactAccessKeyIds(text),
  };
}
