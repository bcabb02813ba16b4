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
  // In doubles when that is exact (see SAFE_NUM below): no BigInt is made but the result.
  if (rate <= PPM && rate >= MINUS_PPM) {
    if (base !== lastBase) convertBase(base);
    if (!Number.isNaN(lastNum)) return BigInt(divRoundHalfUpSafe(Number(rate) * lastNum, 1e6 * lastDen));
  }
  return divRoundHalfUp(rate * base.num, PPM * base.den);
}

/**
 * A rate as a plain number of ppm, for templates that apply the same rates to every order: they
 * convert them once per plan (a BigInt's conversion is a call into the runtime) and use applyPpm.
 * Every rate is a whole number of ppm of at most 10^6 in magnitude: exact in a double.
 */
export const ppmOf = (rate: RatePpm): number => Number(rate);

/** The largest whole base (in minor units) whose product with any rate is exact in a double: (2^53 − 1) / 10^6. */
export const SAFE_BASE = Math.floor(Number.MAX_SAFE_INTEGER / 1e6);

/**
 * applyPpm in doubles for a whole base of at most SAFE_BASE in magnitude (90 million in major
 * units): the same rounding, for the engine's hot path (see templates/parts.ts). The caller checks
 * the bound (wholeBase).
 */
export const ppmTimesWhole = (ppm: number, base: number): number => divRoundHalfUpSafe(ppm * base, 1e6);

/** applyRate for a rate given by ppmOf: `ppm` × base, rounded once, half-up, to the minor unit. */
export function applyPpm(ppm: number, base: Exact): Minor {
  if (ppm <= 1e6 && ppm >= -1e6) {
    if (base !== lastBase) convertBase(base);
    if (!Number.isNaN(lastNum)) return BigInt(divRoundHalfUpSafe(ppm * lastNum, 1e6 * lastDen));
  }
  return divRoundHalfUp(BigInt(ppm) * base.num, PPM * base.den);
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

/**
 * The last base applyRate saw, and its numerator and denominator as doubles (NaN when it is out
 * of the range above). Converting a BigInt is a call into the runtime, and a line's base is
 * applied several rates in a row, one per member it pays. Exact values are never changed (their
 * fields are readonly; nothing writes them), so the same object has the same doubles.
 */
let lastBase: Exact | null = null;
let lastNum = Number.NaN;
let lastDen = Number.NaN;

function convertBase(base: Exact): void {
  const inRange = base.num <= SAFE_NUM && base.num >= MINUS_SAFE_NUM && base.den > 0n && base.den <= SAFE_DEN;
  lastBase = base;
  lastNum = inRange ? Number(base.num) : Number.NaN;
  lastDen = inRange ? (base.den === 1n ? 1 : Number(base.den)) : Number.NaN;
}

/**
 * divRoundHalfUp for safe integers held in doubles (|numerator| and denominator ≤ 2^53 − 1,
 * denominator > 0). Exact: `%` of two integral doubles is exact, and so is dividing out the
 * remainder, whose quotient is an integer below 2^53.
 */
export function divRoundHalfUpSafe(numerator: number, denominator: number): number {
  const magnitude = Math.abs(numerator);
  let quotient: number;
  let remainder: number;
  if (magnitude + denominator <= Number.MAX_SAFE_INTEGER) {
    // `%` of doubles is a call into the C library, several times a division. The rounded
    // quotient is off by one at most (it is below 2^53), and quotient × denominator is then a
    // safe integer, so the remainder comes out exact and puts the quotient right.
    quotient = Math.floor(magnitude / denominator);
    remainder = magnitude - quotient * denominator;
    if (remainder < 0) {
      quotient -= 1;
      remainder += denominator;
    } else if (remainder >= denominator) {
      quotient += 1;
      remainder -= denominator;
    }
  } else {
    remainder = magnitude % denominator;
    quotient = (magnitude - remainder) / denominator;
  }
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
