/**
 * Cutting the admin email to size: Gmail hides everything past about 102 KB of a message behind
 * a link, so the lists of keys (or accounts) share what the fixed parts leave of the budget. Used by
 * the daily admin email and the organization summary.
 */

/**
 * The largest HTML part of any admin email, in bytes: under the ~102 KB past which Gmail clips a
 * message (hiding its end). The text part shows the same rows, so it stays smaller.
 */
export const MAX_HTML_BYTES = 100_000;

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * How many rows of each list fit in `budget` bytes, given each row's size. Rows are taken in
 * order, one more of each list a round, so that a long list never crowds out the others: each
 * list shows as many rows as the others, or all of its own.
 */
export function allocateRows(rowBytes: readonly (readonly number[])[], budget: number): number[] {
  const shown = rowBytes.map(() => 0);
  let left = budget;
  for (let progress = true; progress;) {
    progress = false;
    rowBytes.forEach((sizes, i) => {
      const next = sizes[shown[i] ?? 0];
      if (next !== undefined && next <= left) {
        shown[i] = (shown[i] ?? 0) + 1;
        left -= next;
        progress = true;
      }
    });
  }
  return shown;
}
