/**
 * The one masking function: every access key ID that leaves the state machine's own payloads
 * (email, logs, console output, human-readable report views) goes through it.
 * AKIAIOSFODNN7EXAMPLE -> AKIA************MPLE: prefix and last 4 kept, same length.
 */
const KEEP_START = 4;
const KEEP_END = 4;

export function maskAccessKeyId(accessKeyId: string): string {
  if (accessKeyId.length <= KEEP_START + KEEP_END) return '*'.repeat(accessKeyId.length);
  return (
    accessKeyId.slice(0, KEEP_START) +
    '*'.repeat(accessKeyId.length - KEEP_START - KEEP_END) +
    accessKeyId.slice(-KEEP_END)
  );
}

/**
 * Anything shaped like an AWS access key ID (long-term AKIA or temporary ASIA), wherever it
 * stands (no word boundaries: "user_AKIA...", an escaped "\\nAKIA..." or "AKIA...s" all count),
 * and the start of one cut short (8 or more characters after the prefix), as a truncated error
 * text may hold.
 */
const ACCESS_KEY_ID = /(?:AKIA|ASIA)[A-Z0-9]{8,16}/g;

/** Masks every access key ID, whole or cut short, inside free text such as an error message. */
export function redactAccessKeyIds(text: string): string {
  return text.replace(ACCESS_KEY_ID, (id) => maskAccessKeyId(id));
}
