/**
 * Money is an integer count of the currency's minor unit (fen for CNY), held as a bigint so that
 * amounts up to and beyond 10^13 stay exact. It enters and leaves the system as a decimal string.
 */
export type Minor = bigint;

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** Parses "119.80" into 11980n for a currency with `decimals` minor digits; null when malformed. */
export function parseMoney(text: string, decimals: number): Minor | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > decimals) {
    // Extra digits are tolerated only when they are zeros ("5.000" is 5.00, "5.001" is not money).
    if (/[^0]/.test(fraction.slice(decimals))) return null;
  }
  const minorDigits = (fraction + '0'.repeat(decimals)).slice(0, decimals);
  const value = BigInt(whole! + minorDigits);
  return sign === '-' ? -value : value;
}

/** Formats 11980n as "119.80" (decimals = 2). */
export function formatMoney(amount: Minor, decimals: number): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return (negative ? '-' : '') + (decimals > 0 ? `${whole}.${fraction}` : whole);
}

/**
 * Divides and rounds half-up (四舍五入), i.e. halves go away from zero: the single rounding step
 * every award, pool and tax amount goes through.
 */
export function divRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) return divRoundHalfUp(-numerator, -denominator);
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (2n * magnitude + denominator) / (2n * denominator);
  return negative ? -rounded : rounded;
}

/** Floor division for non-negative operands (largest-remainder splits). */
export function divFloor(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n || numerator < 0n) throw new RangeError('divFloor expects non-negative operands');
  return numerator / denominator;
}

export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * Minor-unit digits of a currency by ISO 4217, from the ICU data Node ships (CNY 2, JPY 0,
 * KWD 3): "the currency's minor unit" of DOMAIN.md. A code ICU does not know gets 2, as it does.
 */
export function currencyDecimals(currency: string): number {
  let digits = decimalsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2; // not a well-formed code: the caller's own schema refuses it where that matters
    }
    decimalsByCurrency.set(currency, digits);
  }
  return digits;
}

const decimalsByCurrency = new Map<string, number>();
