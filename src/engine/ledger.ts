import { assert } from '../domain/errors.ts';
import type { InstantMs, Minor } from '../domain/types.ts';
import { addTo, negated, sumValue, type RunningSum } from '../money/running-sum.ts';

/**
 * A double-entry ledger. Every journal entry's postings sum to zero; a member's balances are the
 * sums of its postings. Nothing is ever edited: a reversal is a new entry.
 */
export type Account =
  | 'pending'
  | 'available'
  | 'commission_expense'
  /** Tax withheld, owed to the tax authority. */
  | 'tax_payable'
  /** Net of accepted withdrawals not paid out yet (owed to the member, in the payer's hands). */
  | 'payout'
  /** Net of withdrawals the payer confirmed as paid. */
  | 'paid_out'
  /** Manual bonuses (positive) and deductions (negative) by an admin. */
  | 'manual_adjustment';
export type JournalKind =
  | 'award'
  | 'adjustment'
  | 'settlement'
  | 'withdrawal'
  /** A rejected or failed withdrawal given back, with the tax withheld on it. */
  | 'withdrawal_reversal'
  /** The month's tax trued up after a reversal (cumulative withholding). */
  | 'tax_true_up'
  | 'payout'
  | 'manual';

export interface PostingRef {
  readonly order?: string;
  readonly period?: string;
  readonly rule?: string;
  readonly refund?: string;
  readonly withdrawal?: string;
  readonly adjustment?: string;
}

export interface Posting {
  readonly journal: number;
  readonly at: InstantMs;
  readonly kind: JournalKind;
  readonly account: Account;
  /** The member whose account this is; null for the platform's accounts. */
  readonly member: string | null;
  readonly amount: Minor;
  readonly ref: PostingRef;
}

export interface Balance {
  readonly pending: Minor;
  readonly available: Minor;
}

/**
 * Where a member's balance is kept: running sums (see running-sum.ts), read as bigint. A network
 * member is its own (Member keeps the sums among its fields: crediting an award then touches the
 * member the order already has in the cache, where a separate balance object was one more miss a
 * payee); the ledger keeps one for ids the network does not know.
 */
export interface BalanceSlot {
  readonly id: string;
  pendingSum: RunningSum;
  availableSum: RunningSum;
  /** Whether the ledger has counted it among the members with a posting (its first posting). */
  balanceOpened: boolean;
}

/** A slot's balance as readers see it: read as bigint, serialized as the plain { pending, available }. */
class SlotBalance implements Balance {
  constructor(private readonly slot: BalanceSlot) {}

  get pending(): Minor {
    return sumValue(this.slot.pendingSum);
  }

  get available(): Minor {
    return sumValue(this.slot.availableSum);
  }

  toJSON(): Balance {
    return { pending: this.pending, available: this.available };
  }
}

/** The slot of an id the network does not know. */
class OtherSlot implements BalanceSlot {
  pendingSum: RunningSum = 0;
  availableSum: RunningSum = 0;
  balanceOpened = false;

  constructor(readonly id: string) {}
}

/** Adds `amount` to `slot`'s `account`. */
function addToSlot(slot: BalanceSlot, account: Account, amount: RunningSum): void {
  if (account === 'pending') slot.pendingSum = addTo(slot.pendingSum, amount);
  else if (account === 'available') slot.availableSum = addTo(slot.availableSum, amount);
  else assert(false, `member account ${account} is not a balance`);
}

export interface LedgerLine {
  readonly account: Account;
  readonly member: string | null;
  readonly amount: Minor;
}

export class Ledger {
  /** Balances of ids the network does not know (a member keeps its own: it is a BalanceSlot). */
  private readonly others = new Map<string, OtherSlot>();
  /** Every balance, in order of first posting. */
  private readonly opened: BalanceSlot[] = [];
  private journals = 0;

  /**
   * `slotOf` finds the place where a member keeps its balance (the network's Member): a map of
   * every member's balance was a lookup per posting, and a first posting an insertion into it.
   */
  constructor(private readonly slotOf: (member: string) => BalanceSlot | undefined = () => undefined) {}

  balanceOf(member: string): Balance {
    const slot = this.slotOf(member);
    if (slot?.balanceOpened === true) return new SlotBalance(slot);
    const other = this.others.get(member);
    return other === undefined ? { pending: 0n, available: 0n } : new SlotBalance(other);
  }

  /** Every member with any posting, in order of first posting. */
  *members(): IterableIterator<[string, Balance]> {
    for (const slot of this.opened) yield [slot.id, new SlotBalance(slot)];
  }

  /** Writes one balanced journal entry and returns its postings. */
  post(kind: JournalKind, at: InstantMs, ref: PostingRef, lines: readonly LedgerLine[]): Posting[] {
    const sum = lines.reduce((total, line) => total + line.amount, 0n);
    if (sum !== 0n) assert(false, `journal ${kind} does not balance (${sum})`);
    const journal = ++this.journals;
    const postings: Posting[] = [];
    for (const line of lines) {
      if (line.amount === 0n) continue;
      postings.push({ journal, at, kind, account: line.account, member: line.member, amount: line.amount, ref });
      if (line.member !== null) addToSlot(this.balanceFor(line.member), line.account, line.amount);
    }
    return postings;
  }

  /**
   * The number of a new journal entry whose postings the caller keeps (an award's change, see
   * awards.ts BookedChange): every award, adjustment and settlement takes one, posted or not.
   */
  nextJournal(): number {
    return ++this.journals;
  }

  /**
   * Adds `amount` to `member`'s `account` (the member's side of an award's journal; the other
   * side is the platform's commission expense, which keeps no balance). `slot`: where the
   * member's balance is kept at hand, if the caller has it.
   */
  credit(member: string, slot: BalanceSlot | undefined, account: 'pending' | 'available', amount: RunningSum): void {
    const balance = this.balanceFor(member, slot);
    if (account === 'pending') balance.pendingSum = addTo(balance.pendingSum, amount);
    else balance.availableSum = addTo(balance.availableSum, amount);
  }

  /** Moves `amount` from `member`'s pending to its available (a settlement's journal). */
  move(member: string, slot: BalanceSlot | undefined, amount: RunningSum): void {
    const balance = this.balanceFor(member, slot);
    balance.pendingSum = addTo(balance.pendingSum, negated(amount));
    balance.availableSum = addTo(balance.availableSum, amount);
  }

  /** Where `member`'s balance is kept, counted among the members with a posting at its first. */
  private balanceFor(member: string, slot: BalanceSlot | undefined = this.slotOf(member)): BalanceSlot {
    if (slot === undefined) {
      slot = this.others.get(member);
      if (slot === undefined) this.others.set(member, (slot = new OtherSlot(member)));
    }
    if (!slot.balanceOpened) {
      slot.balanceOpened = true;
      this.opened.push(slot);
    }
    return slot;
  }
}
