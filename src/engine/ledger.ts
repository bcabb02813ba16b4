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

/** A member's balance as the ledger keeps it: running sums (see running-sum.ts), read as bigint. */
class MemberBalance implements Balance {
  #pending: RunningSum = 0;
  #available: RunningSum = 0;

  constructor(readonly member: string) {}

  get pending(): Minor {
    return sumValue(this.#pending);
  }

  get available(): Minor {
    return sumValue(this.#available);
  }

  /** Serialized as the plain { pending, available } it replaced. */
  toJSON(): Balance {
    return { pending: this.pending, available: this.available };
  }

  add(account: Account, amount: RunningSum): void {
    if (account === 'pending') this.#pending = addTo(this.#pending, amount);
    else if (account === 'available') this.#available = addTo(this.#available, amount);
    else assert(false, `member account ${account} is not a balance`);
  }
}

export interface LedgerLine {
  readonly account: Account;
  readonly member: string | null;
  readonly amount: Minor;
}

/**
 * Where a caller keeps a member's balance at hand (a network member does): the ledger fills it
 * in at the member's first posting through it, and later postings skip the lookup by member id.
 */
export interface BalanceSlot {
  balance: Balance | null;
}

export class Ledger {
  /** Balances of ids the network does not know (a member's is kept on its BalanceSlot). */
  private readonly others = new Map<string, MemberBalance>();
  /** Every balance, in order of first posting. */
  private readonly opened: MemberBalance[] = [];
  private journals = 0;

  /**
   * `slotOf` finds the place where a member keeps its balance (the network's Member): a map of
   * every member's balance was a lookup per posting, and a first posting an insertion into it.
   */
  constructor(private readonly slotOf: (member: string) => BalanceSlot | undefined = () => undefined) {}

  balanceOf(member: string): Balance {
    return this.slotOf(member)?.balance ?? this.others.get(member) ?? { pending: 0n, available: 0n };
  }

  /** Every member with any posting, in order of first posting. */
  *members(): IterableIterator<[string, Balance]> {
    for (const balance of this.opened) yield [balance.member, balance];
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
      if (line.member !== null) this.balanceFor(line.member).add(line.account, line.amount);
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
    this.balanceFor(member, slot).add(account, amount);
  }

  /** Moves `amount` from `member`'s pending to its available (a settlement's journal). */
  move(member: string, slot: BalanceSlot | undefined, amount: RunningSum): void {
    const balance = this.balanceFor(member, slot);
    balance.add('pending', negated(amount));
    balance.add('available', amount);
  }

  /** The balance of `member`, made (empty) at its first posting. */
  private balanceFor(member: string, slot: BalanceSlot | undefined = this.slotOf(member)): MemberBalance {
    // A slot only ever holds what this method gave it.
    if (slot !== undefined) return (slot.balance ??= this.open(member)) as MemberBalance;
    let balance = this.others.get(member);
    if (!balance) this.others.set(member, (balance = this.open(member)));
    return balance;
  }

  private open(member: string): MemberBalance {
    const balance = new MemberBalance(member);
    this.opened.push(balance);
    return balance;
  }
}
