import { ownerEmailOf } from '../../../functions/shared/owner-email';

describe('ownerEmailOf', () => {
  it.each<[string, Record<string, string>, string, string | null]>([
    ['the address in the default tag', { email: 'alice@example.com' }, 'email', 'alice@example.com'],
    [
      'the address in a configured tag',
      { owner: 'bob@example.org', email: 'x@example.com' },
      'owner',
      'bob@example.org',
    ],
    ['a trimmed address', { email: '  carol@example.com \n' }, 'email', 'carol@example.com'],
    ['null when the tag is absent', { team: 'payments' }, 'email', null],
    ['null when the tag is not an address', { email: 'alice at example dot com' }, 'email', null],
    ['null for an empty value', { email: '' }, 'email', null],
    ['null for two addresses in one value', { email: 'a@example.com,b@example.com' }, 'email', null],
    ['null when the address is under another tag', { Email: 'alice@example.com' }, 'email', null],
  ])('%s', (_name, tags, tag, expected) => {
    expect(ownerEmailOf(tags, tag)).toBe(expected);
  });
});
