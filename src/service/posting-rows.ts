import type { InstantMs } from '../domain/types.ts';
import type { Account, JournalKind, PostingRef } from '../engine/ledger.ts';
import type { RunningSum } from '../money/running-sum.ts';

/**
 * A batch's postings as columns, one array per field (BatchRows fills them): a backfill's chunk has some 30,000, and a
 * Posting object each (kept until the chunk is written) was the largest part of the server's
 * garbage. `amounts` hold numbers while they are safe integers, bigints beyond.
 */
export class PostingRows {
  readonly journals: number[] = [];
  /** Each posting's line in its journal (0, 1…). */
  readonly lines: number[] = [];
  /** The log position of the event that wrote it. */
  readonly seqs: number[] = [];
  readonly ats: InstantMs[] = [];
  readonly kinds: JournalKind[] = [];
  readonly accounts: Account[] = [];
  readonly members: (string | null)[] = [];
  readonly amounts: RunningSum[] = [];
  readonly refs: PostingRef[] = [];

  get length(): number {
    return this.journals.length;
  }
}
