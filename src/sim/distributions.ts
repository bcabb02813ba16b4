import type { Random } from './random.ts';

/**
 * Draws from the distributions the generators need, from a seeded `Random`. Floats here only pick
 * inputs (how many orders, which member, what price); amounts are rounded to minor units before
 * they reach the engine.
 */

/** A standard normal draw (Box–Muller; one of the pair is used, so each call takes two draws). */
export function normal(random: Random): number {
  const u = 1 - random.next(); // (0, 1]: the log is finite
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A log-normal draw with the given median and σ of its logarithm. */
export function logNormal(random: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(random));
}

/** 1 + a geometric count with mean `mean − 1`, at most `max`: e.g. lines of a basket (mean ≥ 1). */
export function countFrom1(random: Random, mean: number, max: number): number {
  if (mean <= 1 || max <= 1) return 1;
  const p = 1 / mean; // P(stop) after each item: a geometric number of items ≥ 1 with this mean
  let n = 1;
  while (n < max && random.next() >= p) n++;
  return n;
}

/** An index in [0, n) skewed toward 0: P(index < x·n) = x^(1/power) (power 1: uniform). */
export function skewedIndex(random: Random, n: number, power: number): number {
  const u = random.next();
  return Math.min(n - 1, Math.floor(n * (power === 1 ? u : power === 2 ? u * u : u ** power)));
}

/** An index drawn from cumulative weights (ascending, last = total). */
export function fromCumulative(random: Random, cumulative: Float64Array | readonly number[]): number {
  const target = random.next() * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Running sums of weights. */
export function cumulativeOf(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((weight, index) => (out[index] = sum += weight));
  return out;
}

/** A sub-seed for one stream of a generator, so that streams do not shift each other. */
export function subSeed(seed: number, stream: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
