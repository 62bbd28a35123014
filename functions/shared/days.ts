/** Day arithmetic of the policy: ages are whole days, floor((now - date) / 86400 s). */
export const MS_PER_DAY = 86_400_000;

export function ageInDays(date: string | Date, now: Date): number {
  const then = typeof date === 'string' ? Date.parse(date) : date.getTime();
  return Math.floor((now.getTime() - then) / MS_PER_DAY);
}

export function addDays(date: string | Date, days: number): Date {
  const then = typeof date === 'string' ? Date.parse(date) : date.getTime();
  return new Date(then + days * MS_PER_DAY);
}

/** The UTC calendar date, YYYY-MM-DD. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
