import type { InstantMs, Minor } from '../domain/types.ts';
import type { Ledger, Posting } from './ledger.ts';
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
  /** The line-level computation behind the current amount. */
  explanations: readonly Explanation[];
  /** Every change of the amount: the first award, then refund adjustments. */
  readonly changes: { readonly at: InstantMs; readonly delta: Minor; readonly cause: string }[];
}

/** What one apply call changed about an award, for callers that persist or notify. */
export interface AwardChange {
  readonly award: AwardRecord;
  readonly delta: Minor;
  readonly cause: 'award' | 'adjustment' | 'settlement';
}

export function awardKey(to: string, subject: string, rule: string): string {
  return `${subject}\u0000${to}\u0000${rule}`;
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

/**
 * All awards of a tenant, keyed by member + order|period + rule, and the ledger entries that
 * move them: award (pending), adjustment (refund recomputation), settlement (to available).
 */
export class AwardBook {
  private readonly records = new Map<string, AwardRecord>();

  constructor(private readonly ledger: Ledger) {}

  all(): IterableIterator<AwardRecord> {
    return this.records.values();
  }

  get(key: string): AwardRecord | undefined {
    return this.records.get(key);
  }

  /**
   * Brings the award to `amount` with `explanations`: creates it or posts the difference
   * (whatever its sign) to pending, or to available once settled.
   */
  setAmount(
    key: string, identity: Pick<AwardRecord, 'to' | 'order' | 'period' | 'rule'>, amount: Minor,
    explanations: readonly Explanation[], at: InstantMs, cause: string, refund: string | undefined,
    out: { postings: Posting[]; awards: AwardChange[] },
    /** A new award of an order that has already settled (created by a refund) is settled too. */
    status: AwardStatus = 'pending',
  ): AwardRecord {
    let record = this.records.get(key);
    const isNew = !record;
    if (!record) {
      record = { ...identity, amount: 0n, status, explanations: [], changes: [] };
      this.records.set(key, record);
    }
    const delta = amount - record.amount;
    record.explanations = explanations;
    if (delta === 0n) return record;
    record.amount = amount;
    record.changes.push({ at, delta, cause });
    const account = record.status === 'settled' ? 'available' : 'pending';
    const ref = { ...refOf(record), ...(refund ? { refund } : {}) };
    out.postings.push(
      ...this.ledger.post(isNew ? 'award' : 'adjustment', at, ref, [
        { account, member: record.to, amount: delta },
        { account: 'commission_expense', member: null, amount: -delta },
      ]),
    );
    out.awards.push({ award: record, delta, cause: isNew ? 'award' : 'adjustment' });
    return record;
  }

  /** Moves a pending award to available. */
  settle(record: AwardRecord, at: InstantMs, out: { postings: Posting[]; awards: AwardChange[] }): void {
    if (record.status === 'settled') return;
    record.status = 'settled';
    out.postings.push(
      ...this.ledger.post('settlement', at, refOf(record), [
        { account: 'pending', member: record.to, amount: -record.amount },
        { account: 'available', member: record.to, amount: record.amount },
      ]),
    );
    out.awards.push({ award: record, delta: 0n, cause: 'settlement' });
  }
}

function refOf(record: AwardRecord): { order?: string; period?: string; rule: string } {
  return record.order !== undefined ? { order: record.order, rule: record.rule } : { period: record.period!, rule: record.rule };
}
