import { DateTime } from 'luxon';
import { firstOccurrence } from '../domain/local-time.ts';
import type { InstantMs } from '../domain/types.ts';

/** One calendar month in the tenant's time zone: the unit of every simulation report. */
export interface Month {
  /** `2026-03` */
  readonly label: string;
  readonly start: InstantMs;
  readonly end: InstantMs;
  /** 1–12 */
  readonly monthOfYear: number;
}

export const MONTH_LABEL = /^\d{4}-(0[1-9]|1[0-2])$/;

/** `count` consecutive months from `first` (`YYYY-MM`) in `zone`. */
export function monthsFrom(first: string, count: number, zone: string): Month[] {
  const start = DateTime.fromFormat(first, 'yyyy-MM', { zone });
  if (!MONTH_LABEL.test(first) || !start.isValid) throw new Error(`"${first}" is not a month (YYYY-MM)`);
  return Array.from({ length: count }, (_, index) => monthOf(start.plus({ months: index })));
}

/** The months touched by [from, to) in `zone`. */
export function monthsBetween(from: InstantMs, to: InstantMs, zone: string): Month[] {
  const months: Month[] = [];
  for (
    let cursor = DateTime.fromMillis(from, { zone }).startOf('month');
    cursor.toMillis() < to;
    cursor = cursor.plus({ months: 1 })
  ) {
    months.push(monthOf(cursor));
  }
  return months;
}

/** A month from its first day's midnight (its first occurrence, as the engine's periods take it). */
function monthOf(start: DateTime): Month {
  return {
    label: start.toFormat('yyyy-MM'),
    start: firstOccurrence(start).toMillis(),
    end: firstOccurrence(start.plus({ months: 1 })).toMillis(),
    monthOfYear: start.month,
  };
}

/** The index of the month holding `at`, or -1 when it is outside them all (months are consecutive). */
export function monthIndex(months: readonly Month[], at: InstantMs): number {
  if (months.length === 0 || at < months[0]!.start || at >= months[months.length - 1]!.end) return -1;
  let lo = 0;
  let hi = months.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (months[mid]!.start <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The last month of a period label (`2026-03`, `2026-Q1`, `2026`), as `YYYY-MM`. */
export function lastMonthOfPeriod(label: string): string {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(label);
  if (quarter) return `${quarter[1]}-${String(Number(quarter[2]) * 3).padStart(2, '0')}`;
  if (/^\d{4}$/.test(label)) return `${label}-12`;
  return label;
}
