import { DateTime } from 'luxon';
import { firstOccurrence } from '../domain/local-time.ts';
import { fail, InputError } from '../domain/errors.ts';
import { INSTANT_RANGE_MESSAGE, supportedInstant } from '../domain/instants.ts';

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
  const read = (text: string, field: 'from' | 'to'): number => {
    const trimmed = text.trim();
    let local: DateTime | null = null;
    let unit: 'day' | 'month' | null = null;
    if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
      local = DateTime.fromISO(trimmed, { zone });
      unit = 'day';
    } else if (/^\d{4}-\d{2}$/.test(trimmed)) {
      local = DateTime.fromISO(`${trimmed}-01`, { zone });
      unit = 'month';
    }
    if (local) {
      if (!local.isValid) throw new InputError(fail('invalid', `${field} is not a valid date: "${text}"`, [field]));
      return firstOccurrence(field === 'to' ? local.plus(unit === 'day' ? { days: 1 } : { months: 1 }) : local).toMillis();
    }
    const ms = Date.parse(trimmed);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(trimmed) || Number.isNaN(ms)) {
      throw new InputError(
        fail('invalid', `${field} must be YYYY-MM-DD, YYYY-MM or an ISO 8601 instant, not "${text}"`, [field]),
      );
    }
    return ms;
  };
  const window = { from: read(from, 'from'), to: read(to, 'to') };
  if (!supportedInstant(window.from)) throw outOfRange('from');
  if (!supportedInstant(window.to)) throw outOfRange('to');
  if (window.to <= window.from) throw new InputError(fail('invalid', '`to` must be after `from`', ['to']));
  return window;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
