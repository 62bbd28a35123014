/** Access key IDs for tests, shared by the unit and workflow fixtures. */

/** The documented example key ID. */
export const EXAMPLE_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

/** Finds any full access key ID, wherever it stands. */
export const FULL_KEY_ID = /(?:AKIA|ASIA)[A-Z0-9]{16}/;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A valid, unique access key ID for a number: AKIA + 16 characters. */
export function keyId(n: number): string {
  let rest = '';
  let value = n;
  for (let i = 0; i < 12; i++) {
    rest = (ALPHABET[value % 32] as string) + rest;
    value = Math.floor(value / 32);
  }
  return `AKIATEST${rest}`;
}
