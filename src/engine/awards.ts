import type { InstantMs, Minor } from '../domain/types.ts';
import type { BalanceSlot, Ledger, Posting, PostingRef } from './ledger.ts';
import type { AwardPart, Explanation } from './templates/template.ts';

export type AwardStatus = 'pending' | 'settled';

/** The net award of one member under one rule for one order or one period. */
export interface AwardRecord {
  readonly to: string;
  readonly order?: string;
  readonly period?: string;
  readonly rule: string;
  amount: Minor;
  status: AwardStatus;
  /**
   * The line-level computation behind the current amount. An order's awards recompute theirs
   * from the order when asked instead of keeping them (a month of orders would hold millions).
   */
  readonly explanations: readonly Explanation[];
  /** Every change of the amount: the first award, then refund adjustments. */
  changes: readonly AwardAmountChange[];
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
  private readonly chunks: AwardRecord[][] = [[]];
  private lastRef: PostingRef | null = null;

  constructor(private readonly ledger: Ledger) {}

  *all(): IterableIterator<AwardRecord> {
    for (const chunk of this.chunks) yield* chunk;
  }

  /** Keeps a new award; its amount is zero until `setAmount`. */
  add<R extends AwardRecord>(record: R): R {
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
    record: AwardRecord, amount: Minor, isNew: boolean, at: InstantMs, cause: string, refund: string | undefined,
    out: { postings: Posting[]; awards: AwardChange[] },
    /** Where the member's balance is kept at hand, when the caller knows (see BalanceSlot). */
    slot?: BalanceSlot,
  ): void {
    // From zero (a new award), the delta is the amount itself: one BigInt less.
    const delta = record.amount === 0n ? amount : amount - record.amount;
    if (delta === 0n) return;
    // Read before the amount changes: an order's award derives its first change from its amount.
    const changes = record.changes;
    record.amount = amount;
    // Not a push: an array grown by push keeps room for 16 more, and most awards never change.
    const change = { at, delta, cause };
    record.changes = changes.length === 0 ? [change] : [...changes, change];
    const account = record.status === 'settled' ? 'available' : 'pending';
    const ref = this.refOf(record, refund);
    this.ledger.postPair(out.postings, isNew ? 'award' : 'adjustment', at, ref, delta, account, record.to, 'commission_expense', null, slot);
    out.awards.push({ award: record, delta, cause: isNew ? 'award' : 'adjustment' });
  }

  /** Moves a pending award to available. */
  settle(record: AwardRecord, at: InstantMs, out: { postings: Posting[]; awards: AwardChange[] }): void {
    if (record.status === 'settled') return;
    record.status = 'settled';
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
