import { DateTime } from 'luxon';
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
 * The largest amount (minor units) of one field: 10^15 (ten trillion yuan). DOMAIN.md requires
 * amounts up to 10^13 to stay exact; 10^15 leaves room above that while staying below 2^53, and
 * thousands of such amounts still sum within PostgreSQL's bigint, so an event can never fail its
 * transaction on overflow (a 5xx, or a NATS message redelivered forever).
 */
export const MAX_AMOUNT = 10n ** 15n;
/** The largest quantity or count in an event or a plan. */
export const MAX_COUNT = 1_000_000;

/** An amount in the currency's minor unit, ≥ 0 unless `allowNegative`, at most MAX_AMOUNT either way. */
export function money(decimals: number, options: { allowNegative?: boolean; positive?: boolean } = {}) {
  return decimalText.transform((value, ctx): bigint => {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      ctx.addIssue({ code: 'custom', message: `amount ${value} must be a decimal string such as "12.30"` });
      return z.NEVER;
    }
    const parsed = parseMoney(String(value), decimals);
    if (parsed === null) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not an amount with at most ${decimals} decimals` });
      return z.NEVER;
    }
    if (parsed > MAX_AMOUNT || parsed < -MAX_AMOUNT) {
      ctx.addIssue({ code: 'custom', message: `amount "${String(value).slice(0, 40)}" is beyond the largest amount fenyong takes (${MAX_AMOUNT} minor units)` });
      return z.NEVER;
    }
    if (!options.allowNegative && parsed < 0n) {
      ctx.addIssue({ code: 'custom', message: `amount "${value}" must not be negative` });
      return z.NEVER;
    }
    if (options.positive && parsed === 0n) {
      ctx.addIssue({ code: 'custom', message: `amount "${value}" must be above zero` });
      return z.NEVER;
    }
    return parsed;
  });
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
export const days = z.coerce.number().int().min(0).max(36_500);

export const id = z
  .union([z.string(), z.number().int()])
  .transform((value) => String(value))
  .pipe(z.string().min(1, 'an id must not be empty').max(128, 'an id has at most 128 characters'));

/**
 * An instant: ISO 8601. With an offset ("…+08:00", "…Z") it is that instant; without one, or a
 * bare date, it is read in the tenant's time zone (a date means its midnight).
 */
export function instant(zone: string) {
  return z.string().transform((value, ctx): number => {
    const parsed = DateTime.fromISO(value, { zone, setZone: true });
    if (!parsed.isValid) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not an ISO 8601 date-time (e.g. 2026-03-01T10:00:00+08:00)` });
      return z.NEVER;
    }
    if (!supportedInstant(parsed.toMillis())) {
      ctx.addIssue({ code: 'custom', message: `"${value}": ${INSTANT_RANGE_MESSAGE}` });
      return z.NEVER;
    }
    return parsed.toMillis();
  });
}

export function isValidZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

/** Turns a zod error into the path and message of its first issue. */
export function firstIssue(error: z.ZodError): { path: (string | number)[]; message: string } {
  const issue = error.issues[0]!;
  const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
  return { path, message: issue.message };
}
