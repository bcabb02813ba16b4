import { assert } from '../domain/errors.ts';
import type { InstantMs, Minor } from '../domain/types.ts';
import { addToSum, sumValue, type RunningSum } from '../money/running-sum.ts';

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

  add(account: Account, amount: Minor): void {
    if (account === 'pending') this.#pending = addToSum(this.#pending, amount);
    else if (account === 'available') this.#available = addToSum(this.#available, amount);
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
  private readonly balances = new Map<string, MemberBalance>();
  private journals = 0;

  balanceOf(member: string): Balance {
    return this.balances.get(member) ?? { pending: 0n, available: 0n };
  }

  /** Every member with any posting, in order of first posting. */
  members(): IterableIterator<[string, Balance]> {
    return this.balances.entries();
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
      if (line.member !== null) this.applyToBalance(line.member, line.account, line.amount);
    }
    return postings;
  }

  /**
   * A journal of two lines, `amount` on (`first`, `firstMember`) and −amount on (`second`,
   * `secondMember`), appended to `out`: every award, adjustment and settlement is one. The same as
   * `post` with those two lines, without its intermediate arrays, for the engine's hot path.
   */
  postPair(
    out: Posting[], kind: JournalKind, at: InstantMs, ref: PostingRef, amount: Minor,
    first: Account, firstMember: string | null, second: Account, secondMember: string | null,
    /** Where `firstMember`'s balance is kept at hand, if the caller has such a place. */
    firstSlot?: BalanceSlot,
  ): void {
    const journal = ++this.journals;
    if (amount === 0n) return;
    const opposite = -amount;
    out.push({ journal, at, kind, account: first, member: firstMember, amount, ref });
    if (firstMember !== null) {
      // A slot only ever holds what balanceFor gave it.
      const balance = firstSlot === undefined ? this.balanceFor(firstMember) : ((firstSlot.balance ??= this.balanceFor(firstMember)) as MemberBalance);
      balance.add(first, amount);
    }
    out.push({ journal, at, kind, account: second, member: secondMember, amount: opposite, ref });
    if (secondMember !== null) this.applyToBalance(secondMember, second, opposite);
  }

  private applyToBalance(member: string, account: Account, amount: Minor): void {
    this.balanceFor(member).add(account, amount);
  }

  /** The balance of `member`, made (empty) at its first posting. */
  private balanceFor(member: string): MemberBalance {
    let balance = this.balances.get(member);
    if (!balance) this.balances.set(member, (balance = new MemberBalance()));
    return balance;
  }
}
