import type { InstantMs, Minor } from '../domain/types.ts';
import type { BalanceSlot, Ledger, Posting, PostingRef } from './ledger.ts';
import type { AwardPart, Explanation } from './templates/template.ts';

export type AwardStatus = 'pending' | 'settled';

/** The net award of one member under one rule for one order or one period, as readers see it. */
export interface AwardRecord {
  readonly to: string;
  readonly order?: string;
  readonly period?: string;
  readonly rule: string;
  readonly amount: Minor;
  readonly status: AwardStatus;
  /**
   * The line-level computation behind the current amount. An order's awards recompute theirs
   * from the order when asked instead of keeping them (a month of orders would hold millions).
   */
  readonly explanations: readonly Explanation[];
  /** Every change of the amount: the first award, then refund adjustments. */
  readonly changes: readonly AwardAmountChange[];
}

/**
 * An award as the AwardBook moves it. Order awards and period awards keep their figures
 * differently (order-awards.ts keeps millions of the former, as small as it can).
 */
export interface BookedAward extends AwardRecord {
  /** The amount becomes `amount`, a change of `delta` made at `at` for `cause`. */
  changeAmount(amount: Minor, delta: Minor, at: InstantMs, cause: string): void;
  /** Its status becomes settled (an order's awards follow their order, already marked). */
  markSettled(): void;
}

/** An award of a period, made once at its close with its explanations. */
export class PeriodAward implements BookedAward {
  amount: Minor = 0n;
  status: AwardStatus = 'pending';
  changes: readonly AwardAmountChange[] = [];

  constructor(readonly to: string, readonly period: string, readonly rule: string, readonly explanations: readonly Explanation[]) {}

  changeAmount(amount: Minor, delta: Minor, at: InstantMs, cause: string): void {
    this.amount = amount;
    this.changes = [...this.changes, { at, delta, cause }];
  }

  markSettled(): void {
    this.status = 'settled';
  }
}

export interface AwardAmountChange {
  readonly at: InstantMs;
  readonly delta: Minor;
  readonly cause: string;
}

/** What one apply call changed about an award, for callers that persist or notify. */
export interface AwardChange {
  readonly award: AwardRecord;
  readonly delta: Minor;
  readonly cause: 'award' | 'adjustment' | 'settlement';
}

/** Sums line parts into one award per member and rule. */
export function groupParts(parts: readonly AwardPart[], rule: string): Map<string, { amount: Minor; explanations: Explanation[] }> {
  const grouped = new Map<string, { amount: Minor; explanations: Explanation[] }>();
  for (const part of parts) {
    const key = `${part.to}\u0000${rule}`;
    const entry = grouped.get(key) ?? { amount: 0n, explanations: [] };
    entry.amount += part.amount;
    entry.explanations.push(part.explanation);
    grouped.set(key, entry);
  }
  return grouped;
}

const CHUNK = 8192;

/**
 * All awards of a tenant, in the order they were first made, and the ledger entries that move
 * them: award (pending), adjustment (refund recomputation), settlement (to available). An order
 * keeps its own awards (a refund finds them there); a period's are made once, at its close.
 */
export class AwardBook {
  /**
   * In chunks of CHUNK: a tenant makes millions of awards, and one array of them would be
   * copied whole (and reallocated in the large-object space) every time it outgrows its room.
   */
  private readonly chunks: BookedAward[][] = [[]];
  private lastRef: PostingRef | null = null;

  constructor(private readonly ledger: Ledger) {}

  *all(): IterableIterator<AwardRecord> {
    for (const chunk of this.chunks) yield* chunk;
  }

  /** Keeps a new award; its amount is zero until `setAmount`. */
  add<R extends BookedAward>(record: R): R {
    let chunk = this.chunks[this.chunks.length - 1]!;
    if (chunk.length === CHUNK) this.chunks.push((chunk = []));
    chunk.push(record);
    return record;
  }

  /**
   * Brings the award to `amount`: posts the difference (whatever its sign) to pending, or to
   * available once settled. The first posting of a new award is an award, later ones adjustments.
   */
  setAmount(
    record: BookedAward, amount: Minor, isNew: boolean, at: InstantMs, cause: string, refund: string | undefined,
    out: { postings: Posting[]; awards: AwardChange[] },
    /** Where the member's balance is kept at hand, when the caller knows (see BalanceSlot). */
    slot?: BalanceSlot,
  ): void {
    const current = record.amount;
    // From zero (a new award), the delta is the amount itself: one BigInt less.
    const delta = current === 0n ? amount : amount - current;
    if (delta === 0n) return;
    record.changeAmount(amount, delta, at, cause);
    const account = record.status === 'settled' ? 'available' : 'pending';
    const ref = this.refOf(record, refund);
    this.ledger.postPair(out.postings, isNew ? 'award' : 'adjustment', at, ref, delta, account, record.to, 'commission_expense', null, slot);
    out.awards.push({ award: record, delta, cause: isNew ? 'award' : 'adjustment' });
  }

  /** Moves a pending award to available (each award once: its order's or period's settlement). */
  settle(record: BookedAward, at: InstantMs, out: { postings: Posting[]; awards: AwardChange[] }): void {
    record.markSettled();
    this.ledger.postPair(out.postings, 'settlement', at, this.refOf(record, undefined), -record.amount, 'pending', record.to, 'available', record.to);
    out.awards.push({ award: record, delta: 0n, cause: 'settlement' });
  }

  /**
   * What the postings of `record` refer to. The ref names the order (or period), rule and refund,
   * not the member: the awards of one rule for one order, posted one after the other, share the
   * object of the last one (postings are read, never changed).
   */
  private refOf(record: AwardRecord, refund: string | undefined): PostingRef {
    const last = this.lastRef;
    if (last !== null && last.rule === record.rule && last.order === record.order && last.period === record.period && last.refund === refund) {
      return last;
    }
    const ref: { order?: string; period?: string; rule: string; refund?: string } =
      record.order !== undefined ? { order: record.order, rule: record.rule } : { period: record.period!, rule: record.rule };
    if (refund !== undefined) ref.refund = refund;
    return (this.lastRef = ref);
  }
}
