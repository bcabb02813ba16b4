import { divRoundHalfUp, type Minor } from './money.ts';

/**
 * A percentage rate held exactly as parts per million of the whole: "12.5%" is 125_000 ppm.
 * Four decimal places of a percent ("12.3456%") are exactly one ppm.
 */
export type RatePpm = bigint;

export const PPM = 1_000_000n;
const PERCENT = /^(\d{1,3})(?:\.(\d{1,4}))?%$/;

/** Parses "12.5%" into 125000n; null when malformed or above 100%. */
export function parseRate(text: string): RatePpm | null {
  const match = PERCENT.exec(text.trim());
  if (!match) return null;
  const [, whole, fraction = ''] = match;
  const ppm = BigInt(whole!) * 10_000n + BigInt(fraction.padEnd(4, '0'));
  return ppm > PPM ? null : ppm;
}

/** Formats 125000n as "12.5%". */
export function formatRate(rate: RatePpm): string {
  const whole = rate / 10_000n;
  const fraction = (rate % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}%` : `${whole}%`;
}

/**
 * An exact, possibly fractional amount of minor units: numerator / denominator. Bases stay exact
 * (a cost scaled by a net quantity may not be a whole fen); only awards are rounded.
 */
export interface Exact {
  readonly num: bigint;
  readonly den: bigint;
}

export const exact = (minor: Minor): Exact => ({ num: minor, den: 1n });

/** rate × base, rounded once, half-up, to the minor unit. */
export function applyRate(rate: RatePpm, base: Exact): Minor {
  if (fitsInDoubles(rate, base)) {
    // Number(bigint) is a call into the runtime: a paid base (den 1) is spared one.
    const den = base.den === 1n ? 1e6 : 1e6 * Number(base.den);
    return BigInt(divRoundHalfUpSafe(Number(rate) * Number(base.num), den));
  }
  return divRoundHalfUp(rate * base.num, PPM * base.den);
}

/**
 * Every BigInt operation allocates, and an order computes dozens of awards. Below these bounds
 * (bases up to about 90 million in major units, every rate, a denominator — a line's quantity —
 * up to a billion) the numerator rate × base.num and the denominator PPM × base.den stay below
 * 2^53, so ordinary doubles hold them, and the arithmetic of `divRoundHalfUpSafe`, exactly.
 */
const SAFE_NUM = BigInt(Math.floor(Number.MAX_SAFE_INTEGER / 1e6));
const SAFE_DEN = 1_000_000_000n;
// Negated once here: `-PPM` in the check below would allocate a BigInt on every call.
const MINUS_PPM = -PPM;
const MINUS_SAFE_NUM = -SAFE_NUM;

function fitsInDoubles(rate: RatePpm, base: Exact): boolean {
  return (
    rate <= PPM && rate >= MINUS_PPM &&
    base.num <= SAFE_NUM && base.num >= MINUS_SAFE_NUM &&
    base.den > 0n && base.den <= SAFE_DEN
  );
}

/**
 * divRoundHalfUp for safe integers held in doubles (|numerator| and denominator ≤ 2^53 − 1,
 * denominator > 0). Exact: `%` of two integral doubles is exact, and so is dividing out the
 * remainder, whose quotient is an integer below 2^53.
 */
export function divRoundHalfUpSafe(numerator: number, denominator: number): number {
  const magnitude = Math.abs(numerator);
  const remainder = magnitude % denominator;
  const quotient = (magnitude - remainder) / denominator;
  // Half-up: a remainder of at least half the denominator rounds away from zero.
  const rounded = 2 * remainder >= denominator ? quotient + 1 : quotient;
  return numerator < 0 ? -rounded : rounded;
}

/** rate × base without rounding, for explanations. */
export function rateTimes(rate: RatePpm, base: Exact): Exact {
  return { num: rate * base.num, den: PPM * base.den };
}

export function roundExact(value: Exact): Minor {
  return divRoundHalfUp(value.num, value.den);
}

/**
 * Prints an exact value in major units with as many digits as it needs (up to `maxDigits` after
 * the currency's own), marking a value that does not terminate with "…".
 */
export function formatExact(value: Exact, decimals: number, maxDigits = 6): string {
  const scale = 10n ** BigInt(maxDigits);
  const negative = value.num < 0n !== value.den < 0n && value.num !== 0n;
  const num = value.num < 0n ? -value.num : value.num;
  const den = value.den < 0n ? -value.den : value.den;
  const scaled = (num * scale) / den;
  const terminates = (num * scale) % den === 0n;
  const digits = scaled.toString().padStart(decimals + maxDigits + 1, '0');
  const cut = digits.length - decimals - maxDigits;
  let fraction = digits.slice(cut).replace(/0+$/, '');
  if (fraction.length < decimals) fraction = fraction.padEnd(decimals, '0');
  const text = `${digits.slice(0, cut)}${fraction ? '.' + fraction : ''}`;
  return (negative ? '-' : '') + text + (terminates ? '' : '…');
}
