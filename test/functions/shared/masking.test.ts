import { maskAccessKeyId, redactAccessKeyIds } from '../../../functions/shared/masking';
import { EXAMPLE_KEY_ID, FULL_KEY_ID } from '../fixtures';

describe('maskAccessKeyId', () => {
  it('keeps the prefix and the last 4 characters of the documented example', () => {
    expect(maskAccessKeyId(EXAMPLE_KEY_ID)).toBe('AKIA************MPLE');
  });

  it.each([
    ['AKIAIOSFODNN7EXAMPLE', 'AKIA************MPLE'],
    ['ASIAY34FZKBOKMUTVV7A', 'ASIA************VV7A'],
    ['AKIATESTAAAAAAAAAAAB', 'AKIA************AAAB'],
    ['AKIAABCDE', 'AKIA*BCDE'],
    ['AKIAABCDEFGHIJKLMNOPQRSTUVWXYZ', 'AKIA**********************WXYZ'],
  ])('masks %s as %s, same length', (id, masked) => {
    const result = maskAccessKeyId(id);
    expect(result).toBe(masked);
    expect(result).toHaveLength(id.length);
  });

  it.each(['', 'A', 'AKIA', 'AKIA1234'])('masks a short input %j entirely, same length', (id) => {
    expect(maskAccessKeyId(id)).toBe('*'.repeat(id.length));
  });
});

describe('redactAccessKeyIds', () => {
  it('masks every AKIA and ASIA key ID in a text and leaves the rest alone', () => {
    const text =
      'The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.\n' +
      'session ASIAY34FZKBOKMUTVV7A, (AKIATESTAAAAAAAAAAAB) and "AKIATESTAAAAAAAAAAAC"; user alice';
    expect(redactAccessKeyIds(text)).toBe(
      'The Access Key with id AKIA************MPLE cannot be found.\n' +
        'session ASIA************VV7A, (AKIA************AAAB) and "AKIA************AAAC"; user alice',
    );
  });

  it.each([
    'no key here',
    'AKIA is a prefix, AKIASHORT is too short',
    'arn:aws:iam::123456789012:user/alice',
    'already masked: AKIA************MPLE',
    '',
  ])('leaves %j unchanged', (text) => {
    expect(redactAccessKeyIds(text)).toBe(text);
  });

  it('masks key IDs inside JSON and HTML-escaped text', () => {
    const json = JSON.stringify({ errorMessage: `key ${EXAMPLE_KEY_ID}`, key: EXAMPLE_KEY_ID });
    const html = `&quot;${EXAMPLE_KEY_ID}&quot;<td>${EXAMPLE_KEY_ID}</td>`;
    expect(redactAccessKeyIds(json)).not.toMatch(FULL_KEY_ID);
    expect(redactAccessKeyIds(html)).toBe('&quot;AKIA************MPLE&quot;<td>AKIA************MPLE</td>');
  });

  // Regression: the pattern was wrapped in \b, so a key ID glued to a word character (letter, digit,
  // underscore) is not masked at all, and it leaks into the email in full.
  it.each([
    ['after an underscore', `user_${EXAMPLE_KEY_ID}`],
    ['after a JSON-escaped newline (a cause that is not valid JSON)', `failed:\\n${EXAMPLE_KEY_ID}`],
    ['before a lowercase letter', `${EXAMPLE_KEY_ID}s were deactivated`],
  ])('masks a key ID %s', (_name, text) => {
    expect(redactAccessKeyIds(text)).not.toMatch(FULL_KEY_ID);
  });
});
