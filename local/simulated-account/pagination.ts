/** IAM-style pagination (MaxItems, Marker, IsTruncated) and the helpers behind it. */
import { iamValidationError } from './aws-errors';

const MAX_ITEMS_LIMIT = 1000;

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first element of the sorted `items` that is greater than `after`. */
export function firstIndexAfter(items: readonly string[], after: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as string) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** MaxItems as IAM checks it (1..1000, default 100). */
export function checkMaxItems(maxItems: number | undefined): number {
  if (maxItems === undefined) return 100;
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_ITEMS_LIMIT) {
    throw iamValidationError(
      `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS_LIMIT}`,
    );
  }
  return maxItems;
}

export function encodeMarker(kind: string, value: string): string {
  return Buffer.from(`${kind}:${value}`, 'utf8').toString('base64');
}

export function decodeMarker(marker: string, kind: string): string {
  const text = Buffer.from(marker, 'base64').toString('utf8');
  if (!text.startsWith(`${kind}:`) || encodeMarker(kind, text.slice(kind.length + 1)) !== marker) {
    throw iamValidationError('Invalid Marker');
  }
  return text.slice(kind.length + 1);
}

/** IAM-style offset pagination (MaxItems, Marker, IsTruncated) over a small list. */
export function paginate<T>(
  items: readonly T[],
  input: { MaxItems?: number; Marker?: string },
  kind: string,
): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const maxItems = checkMaxItems(input.MaxItems);
  let start = 0;
  if (input.Marker !== undefined) {
    const offset = Number(decodeMarker(input.Marker, kind));
    if (!Number.isInteger(offset) || offset < 0) throw iamValidationError('Invalid Marker');
    start = offset;
  }
  const end = start + maxItems;
  const page = items.slice(start, end);
  return end < items.length
    ? { page, IsTruncated: true, Marker: encodeMarker(kind, String(end)) }
    : { page, IsTruncated: false };
}
