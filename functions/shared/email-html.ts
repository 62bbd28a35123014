/**
 * The HTML building blocks of the emails: inline styles and tables only (no <style>, no media
 * queries), as email clients support. Everything stacks in one column at most 720 px wide, so
 * an email reads the same on a 390 px phone and a wide screen; long words (IDs, S3 keys, ARNs)
 * break where they must instead of widening the page, and a command never breaks inside a token.
 * Arguments named `html` are markup already escaped; every other string is escaped here.
 */
import { escapeHtml } from './html';

/** An email as rendered: its subject, HTML and plain text, key IDs masked. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const FONT = '-apple-system,Segoe UI,Helvetica,Arial,sans-serif';
const MONO = 'SFMono-Regular,Menlo,Consolas,monospace';

/** A whole email document around its body. */
export function page(title: string, bodyHtml: readonly string[]): string {
  return [
    '<!DOCTYPE html><html><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="margin:0;padding:0;background:#ffffff">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse"><tr><td style="padding:12px">',
    `<div style="max-width:720px;margin:0 auto;font-family:${FONT};font-size:14px;line-height:1.45;color:#222;overflow-wrap:anywhere;word-break:break-word">`,
    ...bodyHtml,
    '</div></td></tr></table></body></html>',
  ].join('\n');
}

export function heading(text: string, level: 1 | 2 = 2): string {
  return level === 1
    ? `<h1 style="font-size:20px;line-height:1.3;margin:0 0 12px">${escapeHtml(text)}</h1>`
    : `<h2 style="font-size:16px;margin:22px 0 6px">${escapeHtml(text)}</h2>`;
}

export function paragraph(html: string, style = ''): string {
  return `<p style="margin:8px 0${style ? `;${style}` : ''}">${html}</p>`;
}

/** A boxed line that stands out: 'warn' (yellow) for report mode and the like, 'alert' (red) for what failed or stopped. */
export function banner(text: string, tone: 'warn' | 'alert'): string {
  const colors =
    tone === 'alert'
      ? 'background:#fde2e1;border:1px solid #d99'
      : 'background:#fff3cd;border:1px solid #e0c36c';
  return `<p style="${colors};padding:8px;margin:8px 0"><strong>${escapeHtml(text)}</strong></p>`;
}

/** Two columns, label and value: short lists such as the counts and the policy. */
export function keyValueTable(rows: readonly (readonly [string, string])[]): string {
  const body = rows
    .map(
      ([label, value]) =>
        `<tr><td style="padding:3px 12px 3px 0;vertical-align:top;color:#555">${escapeHtml(label)}</td>` +
        `<td style="padding:3px 0;vertical-align:top">${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse">\n${body}\n</table>`;
}

/** A masked key ID (or another short token) in monospace that never breaks. */
export function mono(text: string): string {
  return `<code style="font-size:13px;white-space:nowrap">${escapeHtml(text)}</code>`;
}

/** A masked access key ID, as the emails show it (AKIA************MPLE). */
export const MASKED_KEY_ID = /(?:AKIA|ASIA)\*+[A-Z0-9]{4}/g;

/** Text with each match of `tokens` (by default the masked key IDs) set by `wrap` (monospace, unbroken). */
export function richText(
  text: string,
  tokens: RegExp = MASKED_KEY_ID,
  wrap: (token: string) => string = mono,
): string {
  return escapeHtml(text).replace(tokens, (token) => wrap(token));
}

/** Text kept on one line (a date, which a browser would otherwise break after a hyphen). */
export function unbroken(text: string): string {
  return `<span style="white-space:nowrap">${escapeHtml(text)}</span>`;
}

/**
 * One entry of a long list, stacked: a head line (e.g. the user and the key) and one line of
 * details, so a row needs no more width than its longest word.
 */
export function stackedRow(headHtml: string, detailHtml: string | null): string {
  const detail = detailHtml === null ? '' : `<div style="font-size:13px;color:#444">${detailHtml}</div>`;
  return `<tr><td style="padding:5px 0;border-top:1px solid #e3e3e3">${headHtml}${detail}</td></tr>`;
}

export function stackedTable(rowsHtml: readonly string[]): string {
  return [
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse">',
    ...rowsHtml,
    '</table>',
  ].join('\n');
}

export function link(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}" style="color:#0b57d0">${escapeHtml(text)}</a>`;
}

/** Text that may break anywhere (an S3 location, an ARN): it never widens the page. */
export function breakable(text: string): string {
  return `<span style="word-break:break-all">${escapeHtml(text)}</span>`;
}

/**
 * A shell command on a line of its own. Each token stays whole (a browser would otherwise break
 * "--access-key-id" after a hyphen); the line breaks only at the spaces between tokens, so the
 * command still copies as typed. A token too long for a phone's width (a long user name) may break.
 */
export function command(text: string): string {
  const tokens = text
    .split(' ')
    .map((token) => (token.length > 32 ? escapeHtml(token) : unbroken(token)))
    .join(' ');
  return (
    `<div style="margin:4px 0 6px;padding:4px 6px;background:#f3f4f6;border-radius:4px">` +
    `<code style="font-family:${MONO};font-size:13px">${tokens}</code></div>`
  );
}
