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

/** Minor-unit digits of the currencies fenyong knows; others default to 2. */
const CURRENCY_DECIMALS: Record<string, number> = {
  CNY: 2,
  HKD: 2,
  TWD: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  SGD: 2,
  MYR: 2,
  JPY: 0,
  KRW: 0,
};

export function currencyDecimals(currency: string): number {
  return CURRENCY_DECIMALS[currency] ?? 2;
}
