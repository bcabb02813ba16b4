/**
 * The instants fenyong accepts anywhere (events, plans, report windows, `asOf`): from 1970-01-01
 * to 9000-01-01 (UTC). JavaScript dates reach far wider (±275,760 years), but outside four-digit
 * years their ISO 8601 text ("+275760-09-13…", "-000001-…") is no timestamp PostgreSQL reads: an
 * event or a query carrying one would fail its transaction instead of being refused.
 */
export const EARLIEST_INSTANT = Date.UTC(1970, 0, 1);
export const LATEST_INSTANT = Date.UTC(9000, 0, 1);

export const INSTANT_RANGE_MESSAGE = 'instants must lie between 1970-01-01 and 9000-01-01';

/** Whether `ms` is an instant fenyong accepts. */
export function supportedInstant(ms: number): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST_INSTANT && ms < LATEST_INSTANT;
}

/** An instant in ms as ISO 8601 text (a SQL parameter, say), null for none (an open end). */
export const isoOrNull = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
