/** A key owner's address, from the user tag that holds it; null when absent or not an address. */
import { z } from 'zod';

const address = z.email();

export function ownerEmailOf(tags: Readonly<Record<string, string>>, ownerEmailTag: string): string | null {
  const value = tags[ownerEmailTag]?.trim();
  return value !== undefined && address.safeParse(value).success ? value : null;
}
