import type { Minor } from '../money/money.ts';
import type { RunningSum } from '../money/running-sum.ts';

/**
 * Columns of values by number (0, 1, 2…), for figures a tenant keeps millions of (awards). Why
 * not an object per entry: each object made while paying an order is copied by the garbage
 * collector once or twice before it settles in the old generation, and that copying was a third
 * of the engine's time. Values in typed arrays are never traced or copied; pointers in a few
 * large arrays are traced, not copied. Chunked, so that growing never copies what is there.
 */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** Pointers (strings, objects) by number. */
export class ObjectColumn<T> {
  readonly #chunks: T[][] = [];

  get(at: number): T {
    return this.#chunks[at >>> CHUNK_BITS]![at & MASK]!;
  }

  set(at: number, value: T): void {
    const chunk = at >>> CHUNK_BITS;
    // Made at full size: a chunk never changes its shape or grows.
    while (chunk >= this.#chunks.length) this.#chunks.push(new Array<T>(CHUNK));
    this.#chunks[chunk]![at & MASK] = value;
  }
}

/** Whole numbers (up to 2^31 − 1) by number. */
export class IntColumn {
  readonly #chunks: Int32Array[] = [];

  /** 0 where nothing was set. */
  get(at: number): number {
    const chunk = this.#chunks[at >>> CHUNK_BITS];
    return chunk === undefined ? 0 : chunk[at & MASK]!;
  }

  set(at: number, value: number): void {
    const chunk = at >>> CHUNK_BITS;
    while (chunk >= this.#chunks.length) this.#chunks.push(new Int32Array(CHUNK));
    this.#chunks[chunk]![at & MASK] = value;
  }
}

/** Numbers (instants) by number; 0 where nothing was set. */
export class FloatColumn {
  readonly #chunks: Float64Array[] = [];

  get(at: number): number {
    const chunk = this.#chunks[at >>> CHUNK_BITS];
    return chunk === undefined ? 0 : chunk[at & MASK]!;
  }

  set(at: number, value: number): void {
    const chunk = at >>> CHUNK_BITS;
    while (chunk >= this.#chunks.length) this.#chunks.push(new Float64Array(CHUNK));
    this.#chunks[chunk]![at & MASK] = value;
  }
}

/** Small whole numbers (0–65535) by number. */
export class SmallColumn {
  readonly #chunks: Uint16Array[] = [];

  /** 0 where nothing was set. */
  get(at: number): number {
    const chunk = this.#chunks[at >>> CHUNK_BITS];
    return chunk === undefined ? 0 : chunk[at & MASK]!;
  }

  set(at: number, value: number): void {
    const chunk = at >>> CHUNK_BITS;
    while (chunk >= this.#chunks.length) this.#chunks.push(new Uint16Array(CHUNK));
    this.#chunks[chunk]![at & MASK] = value;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Amounts of money by number: a safe integer is held in a Float64Array exactly (every integer
 * of magnitude below 2^53 is a double), a larger one (beyond 90 trillion yuan) as a bigint aside.
 */
export class MoneyColumn {
  readonly #chunks: Float64Array[] = [];
  /** The amounts too large for a double, by number (their slot holds NaN). */
  readonly #large = new Map<number, Minor>();

  /** 0 where nothing was set. */
  get(at: number): Minor {
    const chunk = this.#chunks[at >>> CHUNK_BITS];
    const value = chunk === undefined ? 0 : chunk[at & MASK]!;
    if (value === 0) return 0n;
    return Number.isNaN(value) ? this.#large.get(at)! : BigInt(value);
  }

  /** The same as a RunningSum: a number while it is a safe integer (no BigInt made), else the bigint. */
  getSum(at: number): RunningSum {
    const chunk = this.#chunks[at >>> CHUNK_BITS];
    const value = chunk === undefined ? 0 : chunk[at & MASK]!;
    return Number.isNaN(value) ? this.#large.get(at)! : value;
  }

  /** `amount` held as a RunningSum: a safe-integer number, or a bigint (of any size). */
  set(at: number, amount: RunningSum): void {
    const chunk = at >>> CHUNK_BITS;
    while (chunk >= this.#chunks.length) this.#chunks.push(new Float64Array(CHUNK));
    const safe = typeof amount === 'number' || (amount <= MAX_SAFE && amount >= -MAX_SAFE);
    this.#chunks[chunk]![at & MASK] = safe ? Number(amount) : Number.NaN;
    if (!safe) this.#large.set(at, amount);
    else if (this.#large.size > 0) this.#large.delete(at);
  }
}
