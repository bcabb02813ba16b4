import { DateTime } from 'luxon';
import { firstOccurrence } from '../domain/local-time.ts';
import { fail, InputError } from '../domain/errors.ts';
import { INSTANT_RANGE_MESSAGE, supportedInstant } from '../domain/instants.ts';
import { instantValue } from '../schema/primitives.ts';

/** A window of instants [from, to) in ms, with the tenant zone it was read in. */
export interface Window {
  readonly from: number;
  readonly to: number;
}

/** The calendar month `YYYY-MM` of the tenant zone as [start, end) in ms. */
export function monthWindow(month: string, zone: string): Window {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
    throw new InputError(fail('invalid', `month must be YYYY-MM, not "${month}"`, ['month']));
  // A well-formed month label has a window unless it lies outside the instants fenyong accepts.
  const window = periodWindow(month, zone);
  if (window === null) throw outOfRange('month');
  return window;
}

const outOfRange = (field: string) => new InputError(fail('invalid', `${field}: ${INSTANT_RANGE_MESSAGE}`, [field]));

/** The month (`YYYY-MM`) of an instant in the tenant zone. */
export function monthOf(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM');
}

/** `2026-03-14 09:30` in the tenant zone. */
export function localTime(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/**
 * A period label (`2026-03`, `2026-Q1`, `2026`) as [start, end) in the tenant zone; null for a
 * label of no known shape.
 */
export function periodWindow(label: string, zone: string): Window | null {
  let start: DateTime;
  let length: { months: number } | { years: number };
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(label))) {
    start = DateTime.fromObject({ year: Number(match[1]), month: Number(match[2]), day: 1 }, { zone });
    length = { months: 1 };
  } else if ((match = /^(\d{4})-Q([1-4])$/.exec(label))) {
    start = DateTime.fromObject({ year: Number(match[1]), month: (Number(match[2]) - 1) * 3 + 1, day: 1 }, { zone });
    length = { months: 3 };
  } else if ((match = /^(\d{4})$/.exec(label))) {
    start = DateTime.fromObject({ year: Number(match[1]), month: 1, day: 1 }, { zone });
    length = { years: 1 };
  } else {
    return null;
  }
  const window = { from: firstOccurrence(start).toMillis(), to: firstOccurrence(start.plus(length)).toMillis() };
  return supportedInstant(window.from) && supportedInstant(window.to) ? window : null;
}

/**
 * Reads a report window: `from` and `to` are each a day (`YYYY-MM-DD`), a month (`YYYY-MM`) or an
 * ISO 8601 instant. A day or month `to` is inclusive (the window ends after it), an instant is
 * exclusive — as GET /v1/reports/summary reads them.
 */
export function parseWindow(from: string, to: string, zone: string): Window {
  return parseOpenWindow(from, to, zone) as Window;
}

/** A window read as parseWindow reads one, either end of which may be left open (null). */
export function parseOpenWindow(
  from: string | undefined,
  to: string | undefined,
  zone: string,
): { from: number | null; to: number | null } {
  const window = {
    from: from === undefined ? null : windowEdge(from, 'from', zone),
    to: to === undefined ? null : windowEdge(to, 'to', zone),
  };
  if (window.from !== null && window.to !== null && window.to <= window.from)
    throw new InputError(fail('invalid', '`to` must be after `from`', ['to']));
  return window;
}

/**
 * One end of a report window, in ms: a day or a month of the tenant zone (its first midnight; a
 * `to` is inclusive, so the end of it), or an instant read as events read theirs (without an
 * offset, in the tenant zone).
 */
export function windowEdge(text: string, field: 'from' | 'to', zone: string): number {
  const trimmed = text.trim();
  const unit = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? 'day' : /^\d{4}-\d{2}$/.test(trimmed) ? 'month' : null;
  if (unit !== null) {
    const local = DateTime.fromISO(unit === 'day' ? trimmed : `${trimmed}-01`, { zone });
    if (!local.isValid) throw new InputError(fail('invalid', `${field} is not a valid date: "${text}"`, [field]));
    const edge = firstOccurrence(field === 'to' ? local.plus(unit === 'day' ? { days: 1 } : { months: 1 }) : local).toMillis();
    if (!supportedInstant(edge)) throw outOfRange(field);
    return edge;
  }
  const instant = /^\d{4}-\d{2}-\d{2}[T ]/.test(trimmed) ? instantValue(trimmed, zone) : null;
  if (typeof instant === 'number') return instant;
  if (instant === null)
    throw new InputError(fail('invalid', `${field} must be YYYY-MM-DD, YYYY-MM or an ISO 8601 instant, not "${text}"`, [field]));
  throw new InputError(fail('invalid', `${field}: ${instant.refused}`, [field]));
}

export const iso = (ms: number): string => new Date(ms).toISOString();
