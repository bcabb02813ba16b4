import type { InstantMs } from '../domain/types.ts';

/**
 * The orders waiting for their freeze to end, each due at its completion plus the freeze days of
 * its plan version, taken in order of (due instant, sequence number): a priority queue.
 *
 * Completions come in time order, so orders of one freeze length fall due in the order they
 * were queued: a queue of them is a plain FIFO. This keeps one FIFO ("lane") per run of entries
 * that came in due order (in practice one per freeze length), in typed arrays, and takes the
 * earliest head among the lanes. A binary heap of objects did the same with an object, log n
 * comparisons through a closure and the garbage collector's work per completed order: a year of
 * a shop has millions.
 */
export class DueSettlements {
  readonly #lanes: Lane[] = [];
  #size = 0;

  get length(): number {
    return this.#size;
  }

  /** Queues order `order` (its number in the OrderBook), due at `at`, with sequence number `seq`. */
  push(at: InstantMs, seq: number, order: number): void {
    this.#laneFor(at).push(at, seq, order);
    this.#size += 1;
  }

  /** The instant the next settlement is due, or Infinity when none waits. */
  nextAt(): number {
    const lane = this.#next();
    return lane === null ? Infinity : lane.headAt();
  }

  /** The next settlement (its instant, sequence number and order), or undefined when none waits. */
  peek(): { readonly at: InstantMs; readonly seq: number; readonly order: number } | undefined {
    const lane = this.#next();
    return lane === null ? undefined : { at: lane.headAt(), seq: lane.headSeq(), order: lane.headOrder() };
  }

  /** Takes the next settlement off the queue; returns its order's number (−1 when none waits). */
  pop(): number {
    const lane = this.#next();
    if (lane === null) return -1;
    this.#size -= 1;
    return lane.shift();
  }

  /** The lane whose head comes first: earliest instant, then lowest sequence number. */
  #next(): Lane | null {
    let best: Lane | null = null;
    for (const lane of this.#lanes) {
      if (lane.isEmpty()) continue;
      if (best === null || lane.headAt() < best.headAt() || (lane.headAt() === best.headAt() && lane.headSeq() < best.headSeq()))
        best = lane;
    }
    return best;
  }

  /** A lane whose last entry is due at or before `at` (so that it stays in order), the last used first. */
  #laneFor(at: InstantMs): Lane {
    for (let i = this.#lanes.length - 1; i >= 0; i--) {
      const lane = this.#lanes[i]!;
      if (lane.isEmpty() || lane.tailAt() <= at) return lane;
    }
    const lane = new Lane();
    this.#lanes.push(lane);
    return lane;
  }
}

/** A FIFO of (at, seq, order) in growing typed arrays; entries are pushed in (at, seq) order. */
class Lane {
  #at = new Float64Array(1024);
  #seq = new Float64Array(1024);
  #order = new Int32Array(1024);
  #head = 0;
  #tail = 0;

  isEmpty(): boolean {
    return this.#head === this.#tail;
  }

  headAt(): number {
    return this.#at[this.#head]!;
  }

  headSeq(): number {
    return this.#seq[this.#head]!;
  }

  headOrder(): number {
    return this.#order[this.#head]!;
  }

  tailAt(): number {
    return this.#at[this.#tail - 1]!;
  }

  push(at: number, seq: number, order: number): void {
    if (this.#tail === this.#at.length) this.#makeRoom();
    this.#at[this.#tail] = at;
    this.#seq[this.#tail] = seq;
    this.#order[this.#tail] = order;
    this.#tail += 1;
  }

  shift(): number {
    const order = this.#order[this.#head]!;
    this.#head += 1;
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
    return order;
  }

  /** Moves the entries to the front, into arrays twice as large when they are more than half full. */
  #makeRoom(): void {
    const count = this.#tail - this.#head;
    if (count * 2 <= this.#at.length) {
      this.#at.copyWithin(0, this.#head, this.#tail);
      this.#seq.copyWithin(0, this.#head, this.#tail);
      this.#order.copyWithin(0, this.#head, this.#tail);
    } else {
      this.#at = grown(this.#at, new Float64Array(this.#at.length * 2), this.#head, this.#tail);
      this.#seq = grown(this.#seq, new Float64Array(this.#seq.length * 2), this.#head, this.#tail);
      this.#order = grown(this.#order, new Int32Array(this.#order.length * 2), this.#head, this.#tail);
    }
    this.#head = 0;
    this.#tail = count;
  }
}

function grown<T extends Float64Array | Int32Array>(from: T, to: T, head: number, tail: number): T {
  to.set(from.subarray(head, tail) as never);
  return to;
}
