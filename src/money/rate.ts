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
  return divRoundHalfUp(rate * base.num, PPM * base.den);
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
