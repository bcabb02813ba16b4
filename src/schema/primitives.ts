import { DateTime } from 'luxon';
import { firstOccurrence } from '../domain/local-time.ts';
import { INSTANT_RANGE_MESSAGE, supportedInstant } from '../domain/instants.ts';
import { z } from 'zod';
import { parseMoney } from '../money/money.ts';
import { parseRate } from '../money/rate.ts';

/**
 * Zod building blocks shared by plans, members, events and the HTTP API. Amounts arrive as
 * decimal strings (or whole numbers) and leave the schema as bigint minor units.
 */

const decimalText = z.union([z.string(), z.number()]);

/**
 * A missing field is named as such: zod's own words ("expected string, received undefined")
 * describe its type check, not what the person sending it should do. Set once, for every schema.
 */
z.config({
  customError: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required, but missing' : undefined),
});

/**
 * The largest amount (minor units) of one field: 10^15 (ten trillion yuan). DOMAIN.md requires
 * amounts up to 10^13 to stay exact; 10^15 leaves room above that while staying below 2^53, and
 * thousands of such amounts still sum within PostgreSQL's bigint, so an event can never fail its
 * transaction on overflow (a 5xx, or a NATS message redelivered forever).
 */
export const MAX_AMOUNT = 10n ** 15n;
/** The largest quantity or count in an event or a plan. */
export const MAX_COUNT = 1_000_000;
/**
 * The most lines of one order. With MAX_AMOUNT a line, an order's total, and any award computed
 * on it, stays below 10^18, within PostgreSQL's bigint (9.2 × 10^18).
 */
export const MAX_ORDER_LINES = 1000;
/** An amount in the currency's minor unit, ≥ 0 unless `allowNegative`, at most MAX_AMOUNT either way. */
export function money(decimals: number, options: MoneyOptions = {}) {
  return decimalText.transform((value, ctx): bigint => {
    const amount = moneyValue(value, decimals, options);
    if (typeof amount === 'bigint') return amount;
    ctx.addIssue({ code: 'custom', message: amount.refused });
    return z.NEVER;
  });
}

export interface MoneyOptions {
  readonly allowNegative?: boolean;
  readonly positive?: boolean;
}

/** The amount `money` makes of a decimal string or whole number, or why it refuses it. */
export function moneyValue(value: string | number, decimals: number, options: MoneyOptions = {}): bigint | { refused: string } {
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    return { refused: `amount ${value} must be a decimal string such as "12.30"` };
  const parsed = parseMoney(String(value), decimals);
  if (parsed === null) return { refused: `"${value}" is not an amount with at most ${decimals} decimals` };
  if (parsed > MAX_AMOUNT || parsed < -MAX_AMOUNT) {
    return {
      refused: `amount "${String(value).slice(0, 40)}" is beyond the largest amount fenyong takes (${MAX_AMOUNT} minor units)`,
    };
  }
  if (!options.allowNegative && parsed < 0n) return { refused: `amount "${value}" must not be negative` };
  if (options.positive && parsed === 0n) return { refused: `amount "${value}" must be above zero` };
  return parsed;
}

/** A percentage such as "12.5%" (up to 4 decimals), as parts per million. */
export const rate = z.string().transform((value, ctx): bigint => {
  const parsed = parseRate(value);
  if (parsed === null) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a rate between "0%" and "100%" with at most 4 decimals` });
    return z.NEVER;
  }
  return parsed;
});

export const count = z.coerce.number().int().min(0).max(MAX_COUNT);
export const positiveCount = z.coerce.number().int().min(1).max(MAX_COUNT);
export const level = z.coerce.number().int().min(1).max(99);
/**
 * A level as the key of a plan's table (differential rates, level prices): "1" to "99". "01" or
 * "0" would be accepted as text but never match a member's level (looked up as String(level)).
 */
export const levelKey = z.string().regex(/^[1-9]\d?$/, 'level keys are levels from 1 to 99, written without a leading zero');
export const days = z.coerce.number().int().min(0).max(36_500);

/** The longest id (in UTF-16 code units, as `String.length` counts). */
export const MAX_ID_LENGTH = 128;

export const id = z
  .union([z.string(), z.number().int()])
  .transform((value) => String(value))
  .pipe(z.string().min(1, 'an id must not be empty').max(MAX_ID_LENGTH, `an id has at most ${MAX_ID_LENGTH} characters`));

/**
 * A category name: text, or a whole number as YAML and JSON writers give one (`category: 12`
 * means the category "12", as a SKU of 12 means the SKU "12").
 */
export const category = z.union([z.string(), z.number().int()]).transform((value) => String(value));

/**
 * An instant: ISO 8601. With an offset ("…+08:00", "…Z") it is that instant; without one, or a
 * bare date, it is read in the tenant's time zone (a date means its midnight).
 */
export function instant(zone: string) {
  return z.string().transform((value, ctx): number => {
    const ms = instantValue(value, zone);
    if (typeof ms === 'number') return ms;
    ctx.addIssue({ code: 'custom', message: ms.refused });
    return z.NEVER;
  });
}

/** The instant `instant(zone)` makes of a text, or why it refuses it. */
export function instantValue(value: string, zone: string): number | { refused: string } {
  const plain = plainInstant(value);
  if (plain !== null) return plain;
  // Without an offset, the text is a wall-clock time of the tenant's zone: its first occurrence.
  // A space for the `T` (RFC 3339's own allowance, and how databases print) reads the same, as
  // does a space before the offset (YAML 1.1's timestamps).
  const iso = value.replace(SPACE_FOR_T, '$1T').replace(SPACE_BEFORE_OFFSET, '$1$2');
  const parsed = firstOccurrence(DateTime.fromISO(iso, { zone, setZone: true }));
  if (!parsed.isValid) return { refused: `"${value}" is not an ISO 8601 date-time (e.g. 2026-03-01T10:00:00+08:00)` };
  if (!supportedInstant(parsed.toMillis())) return { refused: `"${value}": ${INSTANT_RANGE_MESSAGE}` };
  return parsed.toMillis();
}

/** The instant of a raw event's `at`, read as the schema reads it, or null when it has none that can be read. */
export function readableInstant(raw: unknown, zone: string): number | null {
  const at = typeof raw === 'object' && raw !== null ? (raw as { at?: unknown }).at : undefined;
  if (typeof at !== 'string') return null;
  const instant = instantValue(at, zone);
  return typeof instant === 'number' ? instant : null;
}

const SPACE_FOR_T = /^(\d{4}-\d{2}-\d{2}) (?=\d{2}:)/;
const SPACE_BEFORE_OFFSET = /(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (Z|[+-]\d{2}(?::?\d{2})?)$/;

/** "2026-03-01T10:00:00Z", "2026-03-01T10:00:00.250+08:00": the form nearly every event's instant has. */
const PLAIN_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant of a date-time in that plain form (with its offset, so no time zone is involved),
 * computed directly; null for any other text, and for values at the edges (hour 24, leap
 * seconds, years before 1970, offsets beyond a day), which luxon reads. Luxon's general ISO
 * parser was the largest part of validating an order event. A fraction of one to three digits
 * gives the millisecond luxon gives (the tests compare every one).
 */
export function plainInstant(text: string): number | null {
  const match = PLAIN_INSTANT.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction, sign, offsetHours, offsetMinutes] = match as unknown as string[];
  const y = Number(year),
    mo = Number(month),
    d = Number(day),
    h = Number(hour),
    mi = Number(minute),
    s = Number(second);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  let offset = 0;
  if (sign !== undefined) {
    const oh = Number(offsetHours),
      om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return null;
    offset = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0'));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s, millis) - offset * 60_000;
  return supportedInstant(ms) ? ms : null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isValidZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

/** Turns a zod error into the path and message of its first issue. */
export function firstIssue(error: z.ZodError): { path: (string | number)[]; message: string } {
  const issue = error.issues[0]!;
  const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
  // A record's key refused: zod says "Invalid key in record"; the reason is the key's own issue.
  const keyIssue = issue.code === 'invalid_key' ? issue.issues[0] : undefined;
  return { path, message: keyIssue?.message ?? issue.message };
}
