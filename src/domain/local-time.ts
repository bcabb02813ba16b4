import { DateTime } from 'luxon';

const DAY_MS = 86_400_000;

/**
 * A local date-time of a time zone as one instant, chosen as Temporal's "compatible"
 * disambiguation does: a wall-clock time that happens twice (the clocks turned back) is its
 * first occurrence, and one that never happens (the clocks turned forward) moves forward by the
 * gap, as luxon already does. Luxon alone takes the later of two occurrences: in zones that turn
 * the clocks back at midnight (Cuba, the Azores), a day, a month or a campaign date began an hour
 * after that day's first midnight, and a month began at another instant than the month before ended.
 */
export function firstOccurrence(local: DateTime): DateTime {
  const zone = local.zone;
  if (!local.isValid || zone.isUniversal) return local;
  const at = local.toMillis();
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond);
  // The other occurrence, if any, has the offset in force before the change (a day earlier is
  // before any change that makes this time happen twice).
  const offsetBefore = zone.offset(at - DAY_MS);
  const earlier = wall - offsetBefore * 60_000;
  if (earlier < at && zone.offset(earlier) === offsetBefore) return DateTime.fromMillis(earlier, { zone });
  return local;
}

/**
 * An instant as the tenant reads it, for messages: "2026-11-29T09:33:31+08:00" in Asia/Shanghai
 * (milliseconds only when there are any), rather than the UTC form a shop's operator must convert.
 */
export function zonedIso(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(ms).toISOString();
}
