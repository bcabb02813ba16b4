import type { InstantMs } from '../domain/types.ts';
import { sumValue, type RunningSum } from '../money/running-sum.ts';
import type { Account, JournalKind, Posting, PostingRef } from './ledger.ts';

/**
 * A journal of two postings, `amount` on (`first`, `firstMember`) and −amount on (`second`,
 * `secondMember`): every award, adjustment and settlement is one. Kept as one object until its
 * postings are read.
 */
class PostingPair {
  constructor(
    readonly journal: number,
    readonly at: InstantMs,
    readonly kind: JournalKind,
    readonly ref: PostingRef,
    /** A number while it is a safe integer: made into BigInts when the postings are read. */
    readonly amount: RunningSum,
    readonly first: Account,
    readonly firstMember: string | null,
    readonly second: Account,
    readonly secondMember: string | null,
  ) {}

  appendTo(postings: Posting[]): void {
    const { journal, at, kind, ref } = this;
    const amount = sumValue(this.amount);
    postings.push({ journal, at, kind, account: this.first, member: this.firstMember, amount, ref });
    postings.push({ journal, at, kind, account: this.second, member: this.secondMember, amount: -amount, ref });
  }
}

/**
 * The postings one apply call wrote, in order. Paying an order writes a dozen, as pairs; their
 * Posting objects are made when first read (`all`): callers that persist them read them all, but
 * a simulation or a benchmark never does, and making them was a tenth of the time of an order.
 */
export class PostingLog {
  readonly #entries: (Posting | PostingPair)[] = [];
  #all: Posting[] | null = null;

  get length(): number {
    return this.all().length;
  }

  /** Adds postings written one by one (Ledger.post). */
  push(...postings: Posting[]): void {
    this.#all = null;
    for (const posting of postings) this.#entries.push(posting);
  }

  /** Adds a journal of two postings (Ledger.postPair). */
  pushPair(
    journal: number, at: InstantMs, kind: JournalKind, ref: PostingRef, amount: RunningSum,
    first: Account, firstMember: string | null, second: Account, secondMember: string | null,
  ): void {
    this.#all = null;
    this.#entries.push(new PostingPair(journal, at, kind, ref, amount, first, firstMember, second, secondMember));
  }

  /** Every posting, in the order written. */
  all(): Posting[] {
    if (this.#all !== null) return this.#all;
    const postings: Posting[] = [];
    for (const entry of this.#entries) {
      if (entry instanceof PostingPair) entry.appendTo(postings);
      else postings.push(entry);
    }
    return (this.#all = postings);
  }
}
