import type { Posting } from './ledger.ts';

/** Something that stands for postings until they are read (an award's change: see awards.ts BookedChange). */
export interface PostingSource {
  appendTo(postings: Posting[]): void;
}

/**
 * The postings one apply call wrote, in order. Paying an order writes a dozen, as pairs; their
 * Posting objects are made when first read (`all`): callers that persist them read them all, but
 * a simulation or a benchmark never does, and making them was a tenth of the time of an order.
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
    for (const entry of this.#entries) {
      if (isSource(entry)) entry.appendTo(postings);
      else postings.push(entry);
    }
    return (this.#all = postings);
  }
}

const isSource = (entry: Posting | PostingSource): entry is PostingSource =>
  typeof (entry as PostingSource).appendTo === 'function';
