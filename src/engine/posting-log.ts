import type { InstantMs } from '../domain/types.ts';
import type { Account, JournalKind, Posting, PostingRef } from './ledger.ts';
import { sumValue, type RunningSum } from '../money/running-sum.ts';

/**
 * Takes postings one by one as their fields, with no Posting object each: a writer of millions
 * (the service's batch rows) reads them this way. `amount` is a number while it is a safe
 * integer, a bigint beyond.
 */
export interface PostingSink {
  posting(
    journal: number,
    at: InstantMs,
    kind: JournalKind,
    account: Account,
    member: string | null,
    amount: RunningSum,
    ref: PostingRef,
  ): void;
}

/** Something that stands for postings until they are read (an award's change: see awards.ts BookedChange). */
export interface PostingSource {
  writeTo(sink: PostingSink): void;
}

/**
 * The postings one apply call wrote, in order. Paying an order writes a dozen, as pairs; their
 * Posting objects are made when first read (`all`), or never (`writeTo`): a simulation or a
 * benchmark reads none, and making them was a tenth of the time of an order.
 */
export class PostingLog {
  readonly #entries: (Posting | PostingSource)[] = [];
  #all: Posting[] | null = null;

  get length(): number {
    return this.all().length;
  }

  /** Adds postings written one by one (Ledger.post). */
  push(...postings: Posting[]): void {
    this.#all = null;
    for (const posting of postings) this.#entries.push(posting);
  }

  /** Adds postings made when read (PostingSource). */
  pushSource(source: PostingSource): void {
    this.#all = null;
    this.#entries.push(source);
  }

  /** Every posting, in the order written. */
  all(): Posting[] {
    if (this.#all !== null) return this.#all;
    const postings: Posting[] = [];
    this.writeTo(postingObjects(postings));
    return (this.#all = postings);
  }

  /** Every posting, in the order written, to `sink`. */
  writeTo(sink: PostingSink): void {
    for (const entry of this.#entries) {
      if (isSource(entry)) entry.writeTo(sink);
      else sink.posting(entry.journal, entry.at, entry.kind, entry.account, entry.member, entry.amount, entry.ref);
    }
  }
}

/** A sink that makes each posting into a Posting object, pushed to `postings`. */
const postingObjects = (postings: Posting[]): PostingSink => ({
  posting: (journal, at, kind, account, member, amount, ref) =>
    void postings.push({ journal, at, kind, account, member, amount: sumValue(amount), ref }),
});

const isSource = (entry: Posting | PostingSource): entry is PostingSource =>
  typeof (entry as PostingSource).writeTo === 'function';
