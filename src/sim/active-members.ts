/**
 * Which members are active at an instant that only moves forward (the order generator's): a byte
 * per member, set once its `inactiveFrom` has come. Checking a randomly drawn buyer then reads a
 * byte of an array of ~140 KB that stays in cache, not a double of a 1.1 MB Float64Array: that
 * read was a cache miss per draw, most of the time spent drawing buyers.
 */
export class ActiveMembers {
  readonly #inactive: Uint8Array;
  /** The members that ever go inactive, in the order they do. */
  readonly #leaving: Int32Array;
  /** How many of them have left by the current instant. */
  #left = 0;

  constructor(private readonly inactiveFrom: Float64Array) {
    this.#inactive = new Uint8Array(inactiveFrom.length);
    const leaving: number[] = [];
    for (let i = 0; i < inactiveFrom.length; i++) if (inactiveFrom[i]! < Infinity) leaving.push(i);
    leaving.sort((a, b) => inactiveFrom[a]! - inactiveFrom[b]! || a - b);
    this.#leaving = Int32Array.from(leaving);
  }

  /** Moves to instant `at` (never back): every member whose `inactiveFrom` is at or before it is inactive. */
  advance(at: number): void {
    const leaving = this.#leaving;
    while (this.#left < leaving.length && this.inactiveFrom[leaving[this.#left]!]! <= at) {
      this.#inactive[leaving[this.#left]!] = 1;
      this.#left++;
    }
  }

  /** Whether member `index` is active at the current instant (its `inactiveFrom` is after it). */
  isActive(index: number): boolean {
    return this.#inactive[index] === 0;
  }
}
