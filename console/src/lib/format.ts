/**
 * Formatting without floats: amounts stay the API's decimal strings ("12345.60"), grouped for
 * display; instants are shown in the tenant's time zone.
 */

const SYMBOLS: Record<string, string> = {
  CNY: '¥',
  HKD: 'HK$',
  TWD: 'NT$',
  USD: '$',
  EUR: '€',
  GBP: '£',
  SGD: 'S$',
  JPY: '¥',
  KRW: '₩',
};

/** "1234567.80" → "1,234,567.80" (the sign kept). */
export function groupDecimal(text: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(text.trim());
  if (!match) return text;
  const [, sign, whole, fraction = ''] = match;
  return `${sign}${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction}`;
}

export function money(text: string | null | undefined, currency = 'CNY'): string {
  if (text === null || text === undefined) return '—';
  const symbol = SYMBOLS[currency] ?? `${currency} `;
  return text.startsWith('-') ? `-${symbol}${groupDecimal(text.slice(1))}` : `${symbol}${groupDecimal(text)}`;
}

/** A decimal string as a number, for chart geometry only (never for sums shown as money). */
export const toNumber = (text: string): number => Number(text) || 0;

/** Short amounts for chart axes: 12.3万 / 12.3k. */
export function compact(value: number, lang: string): string {
  return new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

export function percent(part: number, whole: number, lang: string): string {
  if (!whole) return '—';
  return new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
    part / whole,
  );
}

export function dateTime(iso: string | null | undefined, lang: string, timeZone?: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang, {
    dateStyle: 'medium',
    timeStyle: 'short',
    // (Not hour12: false, which some engines, Node.js's among them, read as h24 in English:
    // midnight as "24:00".)
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

export function date(iso: string | null | undefined, lang: string, timeZone?: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', ...(timeZone ? { timeZone } : {}) }).format(new Date(iso));
}

/** Offset (ms) of `timeZone` from UTC at the instant `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return local - Math.floor(ms / 1000) * 1000;
}

/** The instant of a wall-clock time "YYYY-MM-DD" + "HH:MM[:SS.mmm]" in `timeZone`, as ISO 8601. */
export function zonedInstant(day: string, time: string, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const [hh = 0, mm = 0, ss = 0] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm, Math.floor(ss), Math.round((ss % 1) * 1000));
  const first = wall - offsetAt(wall, timeZone);
  return new Date(wall - offsetAt(first, timeZone)).toISOString();
}

/** Today's date "YYYY-MM-DD" in `timeZone`. */
export function today(timeZone: string, at: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** "YYYY-MM-DD" plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Exact sum of decimal strings with `decimals` digits (BigInt, no floats). */
export function sumDecimals(values: readonly string[], decimals = 2): string {
  let total = 0n;
  for (const value of values) {
    const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
    if (!match) continue;
    const minor = BigInt(match[2]! + ((match[3] ?? '') + '0'.repeat(decimals)).slice(0, decimals));
    total += match[1] ? -minor : minor;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  return `${negative ? '-' : ''}${decimals ? `${whole}.${digits.slice(digits.length - decimals)}` : whole}`;
}

/**
 * The text of an amount typed by a person, checked as text (never read as a float): digits, and
 * at most `decimals` of them after a point; no sign, no grouping. Written with exactly `decimals`
 * digits after the point ("5" → "5.00", "012.3" → "12.30"), or null when it is not an amount.
 */
export function amountText(text: string, decimals: number): string | null {
  const pattern = decimals > 0 ? new RegExp(`^(\\d{1,16})(?:\\.(\\d{1,${decimals}}))?$`) : /^(\d{1,16})$/;
  const match = pattern.exec(text.trim());
  if (!match) return null;
  const whole = match[1]!.replace(/^0+(?=\d)/, '');
  return decimals > 0 ? `${whole}.${(match[2] ?? '').padEnd(decimals, '0')}` : whole;
}

/**
 * The largest amount the API takes, in minor units (src/schema/primitives.ts MAX_AMOUNT; a spec
 * keeps the two equal).
 */
export const MAX_AMOUNT_MINOR = 10n ** 15n;

/** True when an amount written by amountText (exactly `decimals` digits after the point) is beyond MAX_AMOUNT_MINOR. */
export const isAmountTooLarge = (text: string): boolean => BigInt(text.replace('.', '')) > MAX_AMOUNT_MINOR;

/** The largest amount as a decimal string with `decimals` digits after the point. */
export function maxAmountText(decimals: number): string {
  const digits = MAX_AMOUNT_MINOR.toString();
  return decimals > 0 ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
}

/** True when a decimal string is zero ("0", "0.00"). */
export const isZeroAmount = (text: string): boolean => !/[1-9]/.test(text);

/** A decimal string with the other sign (exact: the text itself, never a float); zero stays as it is. */
export const negatedAmount = (text: string): string =>
  isZeroAmount(text) ? text : text.startsWith('-') ? text.slice(1) : `-${text}`;
