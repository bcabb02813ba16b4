import type { Minor } from './money.ts';

/**
 * A running sum of minor units as long-lived objects keep it (a ledger balance, a member's team
 * sales): a number while it is a safe integer, a bigint beyond (2^53 fen is 90 trillion yuan).
 * Adding to a number makes no object, where adding BigInts makes a new one per addition, and
 * each new BigInt that a long-lived object points to is work for the next young-generation
 * collection: a paid order moves a dozen such sums.
 */
export type RunningSum = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/**
 * `sum + amount`. `asNumber` is `safeNumber(amount)`, for a caller adding one amount to many
 * sums (a sale to every upline): converting a BigInt is a call into the runtime.
 */
export function addToSum(sum: RunningSum, amount: Minor, asNumber: number | null = safeNumber(amount)): RunningSum {
  if (typeof sum === 'number' && asNumber !== null) {
    // Both are safe integers: their double sum is exact unless it leaves the safe range, and
    // then it is not a safe integer either (rounding never brings it back in).
    const next = sum + asNumber;
    if (Number.isSafeInteger(next)) return next;
  }
  return BigInt(sum) + amount;
}

/** `amount` as a number when it is a safe integer, else null. */
export function safeNumber(amount: Minor): number | null {
  if (amount > MAX_SAFE || amount < MIN_SAFE) return null;
  // Number(amount) is a call into the runtime; a BigInt64Array converts a bigint in range inline,
  // and its two 32-bit halves make the same number exactly (|amount| < 2^53). Twice as fast.
  INT64[0] = amount;
  return HIGH_HALF[1]! * 4_294_967_296 + LOW_HALF[0]!;
}

const INT64 = new BigInt64Array(1);
const HIGH_HALF = new Int32Array(INT64.buffer);
const LOW_HALF = new Uint32Array(INT64.buffer);

/** `amount` held as a running sum: a number when it is a safe integer, else the bigint itself. */
export function asSum(amount: Minor): RunningSum {
  return safeNumber(amount) ?? amount;
}

export function sumValue(sum: RunningSum): Minor {
  return typeof sum === 'number' ? BigInt(sum) : sum;
}

/**
 * `sum + amount`, the amount held as a safe-integer number or a bigint: the engine's hot path
 * works out most amounts as numbers (see templates/parts.ts addAmount) and adds them without
 * making a BigInt; a bigint amount is added as addToSum adds it.
 */
export function addTo(sum: RunningSum, amount: RunningSum): RunningSum {
  if (typeof amount !== 'number') return addToSum(sum, amount);
  if (typeof sum === 'number') {
    const next = sum + amount;
    if (Number.isSafeInteger(next)) return next;
  }
  return BigInt(sum) + BigInt(amount);
}

/** `-amount`, held the same way. */
export const negated = (amount: RunningSum): RunningSum => (typeof amount === 'number' ? -amount : -amount);

/** Whether an amount held either way is zero. */
export const isZero = (amount: RunningSum): boolean => amount === 0 || amount === 0n;
