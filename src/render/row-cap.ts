/** Long lists stop after `limit` rows per verdict with a line that says how to see the rest. */

export interface Capped<T> {
  shown: T[];
  hidden: number;
}

export function capRows<T>(items: readonly T[], limit: number): Capped<T> {
  const n = Math.max(0, limit);
  return { shown: items.slice(0, n), hidden: Math.max(0, items.length - n) };
}

/** With --all the user already asked for everything listed; only the JSON has every row then. */
export function moreText(hidden: number, all: boolean): string {
  return `... ${hidden} more (use ${all ? '--format json' : '--all or --format json'})`;
}
