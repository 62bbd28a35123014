import { planOwnerEmail } from '../../../functions/send-report/owner-email-plan';
import { renderOwnerEmail } from '../../../functions/send-report/render-owner-email';
import { ADMIN, FULL_KEY_ID } from '../fixtures';
import { OWNER_EMAIL_CASES, entriesOf, ownerContext, type OwnerEmailCase } from './owner-email-cases';

/** The words of an HTML email as a reader sees them, one space between words. */
function visibleText(html: string): string {
  return html
    .replace(/<\/?(?:code|span|a|strong|b)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The inside of each command block of an HTML email. */
const commandBlocks = (html: string) =>
  [...html.matchAll(/<div style="margin:4px 0 6px[^"]*"><code[^>]*>(.*?)<\/code><\/div>/g)].map(
    (m) => m[1] ?? '',
  );

/** Asserts that each snippet occurs in `text`, in this order. */
function expectInOrder(text: string, snippets: readonly string[]): void {
  let from = 0;
  for (const snippet of snippets) {
    const at = text.indexOf(snippet, from);
    expect({ snippet, found: at >= 0 }).toEqual({ snippet, found: true });
    from = at + snippet.length;
  }
}

const listCommand = (c: OwnerEmailCase) => `aws iam list-access-keys --user-name ${c.user}`;
const needsIds = (c: OwnerEmailCase) => c.commands.some((cmd) => cmd.includes('ID_ENDING_'));

describe.each(OWNER_EMAIL_CASES)('owner email: $name', (c) => {
  const entries = entriesOf(c);
  const email = renderOwnerEmail(c.user, entries, ownerContext);
  const html = visibleText(email.html);

  it('is decided by the right case, from all of the user keys', () => {
    expect(planOwnerEmail(c.user, entries, ownerContext.policy).cases).toEqual(c.cases);
  });

  it('states each fact once, in text and in HTML', () => {
    for (const fact of c.facts) {
      expect(email.text.split(fact)).toHaveLength(2);
      expect(html.split(fact)).toHaveLength(2);
    }
    // a rule of the policy is stated once, however many keys it applies to
    for (const rule of [
      /the limit is \d+ days/g,
      /when it is \d+ days old/g,
      /keys unused for/g,
      /the policy deletes/g,
    ]) {
      expect({ rule: rule.source, times: (email.text.match(rule) ?? []).length }).toEqual({
        rule: rule.source,
        times: Math.min(1, (email.text.match(rule) ?? []).length),
      });
    }
    // every date (creation, last use, deadline, the run day) is written once
    for (const date of new Set(email.text.match(/\d{4}-\d{2}-\d{2}/g))) {
      expect({ date, times: email.text.split(date).length - 1 }).toEqual({ date, times: 1 });
    }
  });

  it('gives the steps in order, in text and in HTML', () => {
    expectInOrder(email.text, c.steps);
    expectInOrder(html, c.steps);
    for (const word of c.absent ?? []) {
      expect(email.text).not.toContain(word);
      expect(html).not.toContain(word);
    }
  });

  it('puts each command on a line of its own in text, in an unbreakable code block in HTML', () => {
    const all = needsIds(c) ? [...c.commands, listCommand(c)] : c.commands;
    const textCommands = email.text
      .split('\n')
      .filter((line) => line.startsWith('     aws '))
      .map((line) => line.trim());
    expect(textCommands).toEqual(all);
    expect(commandBlocks(email.html).map((b) => visibleText(b).trim())).toEqual(all);
    for (const block of commandBlocks(email.html)) {
      // each token is kept whole; only the spaces between tokens may break
      expect(block.replace(/<span style="white-space:nowrap">[^<]*<\/span>/g, '').trim()).toMatch(/^[ ]*$/);
    }
  });

  it('says how to find the full key ID when a command needs one', () => {
    const hint = 'the last four characters of its ID';
    if (needsIds(c)) {
      expect(email.text).toContain(`${hint}: put the key's full ID there. This lists your keys`);
      expect(email.text).toContain(`\n     ${listCommand(c)}\n`);
      expect(html).toContain(hint);
    } else {
      expect(email.text).not.toContain(hint);
      expect(email.text).not.toContain('list-access-keys');
    }
  });

  it('masks every key ID and names the admins', () => {
    expect(`${email.subject}${email.html}${email.text}`).not.toMatch(FULL_KEY_ID);
    expect(email.text).toContain(`write to ${ADMIN}.`);
    expect(email.text.startsWith(`Hello ${c.user},\n`)).toBe(true);
  });
});

describe('renderOwnerEmail', () => {
  const alice = OWNER_EMAIL_CASES.find((c) => c.user === 'alice');
  if (!alice) throw new Error('the alice case is missing');

  it('escapes the HTML and masks a key ID in any text', () => {
    const entries = entriesOf(alice).map((x) => ({ ...x, userName: 'alice<b>' }));
    const email = renderOwnerEmail('alice<b>', entries, {
      ...ownerContext,
      version: `<i>${entries[0]?.accessKeyId}</i>`,
    });
    expect(email.html).toContain('Hello alice&lt;b&gt;,');
    expect(email.html).not.toMatch(/<b>|<i>/);
    expect(email.html).toContain('&lt;i&gt;AKIA');
    expect(`${email.subject}${email.html}${email.text}`).not.toMatch(FULL_KEY_ID);
  });

  it.each<[string, string, string]>([
    ['alice', 'keysweep: an access key of IAM user alice changed today', 'deactivated'],
    ['carol', 'keysweep: an access key of IAM user carol will be deactivated soon', 'warned'],
    ['fay', 'keysweep: an access key of IAM user fay will be deleted soon', 'deletion warning'],
    ['erin', 'keysweep: an access key of IAM user erin changed today', 'deleted'],
  ])('words the subject for %s (%s)', (user, subject) => {
    const c = OWNER_EMAIL_CASES.find((x) => x.user === user);
    if (!c) throw new Error(`no case for ${user}`);
    expect(renderOwnerEmail(user, entriesOf(c), ownerContext).subject).toBe(subject);
  });
});
