/**
 * How payouts spread over members, computed exactly on minor units (bigint sums over the sorted
 * amounts); only the final ratios become floats, for display.
 */
export interface Spread {
  /** Members counted (the amounts given). */
  readonly members: number;
  readonly total: bigint;
  /** The lower median: the ⌈n/2⌉-th smallest amount (an amount someone got, no half minor units). */
  readonly median: bigint;
  readonly max: bigint;
  /** Share of the total going to the top 10% of members (the ⌈n/10⌉ largest amounts). */
  readonly top10Share: number;
  /**
   * Gini coefficient, 0 (all equal) … (n−1)/n (one member gets everything):
   * G = (2·Σ i·x₍ᵢ₎ − (n+1)·Σ x) / (n·Σ x) over the amounts sorted ascending, i = 1…n.
   */
  readonly gini: number;
}

/** The spread of non-negative amounts in minor units (safe integers, e.g. summed awards). */
export function spreadOf(amounts: ArrayLike<number>): Spread {
  const n = amounts.length;
  const sorted = Float64Array.from(amounts);
  for (const amount of sorted) {
    if (!Number.isSafeInteger(amount) || amount < 0)
      throw new Error(`spreadOf: ${amount} is not a non-negative amount in minor units`);
  }
  sorted.sort();
  if (n === 0) return { members: 0, total: 0n, median: 0n, max: 0n, top10Share: 0, gini: 0 };
  let total = 0n;
  let weighted = 0n;
  for (let i = 0; i < n; i++) {
    const x = BigInt(sorted[i]!);
    total += x;
    weighted += BigInt(i + 1) * x;
  }
  const top = Math.ceil(n / 10);
  let topSum = 0n;
  for (let i = n - top; i < n; i++) topSum += BigInt(sorted[i]!);
  const N = BigInt(n);
  return {
    members: n,
    total,
    median: BigInt(sorted[Math.ceil(n / 2) - 1]!),
    max: BigInt(sorted[n - 1]!),
    top10Share: ratio(topSum, total),
    gini: ratio(2n * weighted - (N + 1n) * total, N * total),
  };
}

/** a / b as a float (0 when b is 0), from exact integers: rounded once, at 12 decimal places. */
export function ratio(a: bigint, b: bigint): number {
  if (b === 0n) return 0;
  if (b < 0n) return ratio(-a, -b);
  if (a < 0n) return -ratio(-a, b);
  const scale = 10n ** 12n;
  const scaled = (a * scale * 2n + b) / (2n * b); // half-up for positive a and b
  return Number(scaled) / 1e12;
}
