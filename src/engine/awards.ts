import type { InstantMs, Minor } from '../domain/types.ts';
import { isZero, negated, sumValue, type RunningSum } from '../money/running-sum.ts';
import { PeriodAward } from './award-records.ts';
import { IntColumn, MoneyColumn, ObjectColumn, SmallColumn } from './columns.ts';
import type { BalanceSlot, Ledger, PostingRef } from './ledger.ts';
import type { PostingLog, PostingSink, PostingSource } from './posting-log.ts';
import type { AwardPart, Explanation } from './templates/template.ts';

export type AwardStatus = 'pending' | 'settled';

/** A member an award is paid to, with the slot where it keeps its balance (a network Member). */
export interface Payee extends BalanceSlot {
  readonly id: string;
}

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
  /** An order's award: what is left of the order's paid amount after refunds (explains a zero award). */
  readonly orderNetPaid?: Minor;
}

export interface AwardAmountChange {
  readonly at: InstantMs;
  readonly delta: Minor;
  readonly cause: string;
}

/** What one apply call changed about an award, for callers that persist or notify. */
export interface AwardChange {
  /** The award's number in its book (the same for every change of one award). */
  readonly number: number;
  /** The award as a record, made when asked (a new view each time: compare awards by `number`). */
  readonly award: AwardRecord;
  readonly delta: Minor;
  readonly cause: 'award' | 'adjustment' | 'settlement';
  /** The journal its postings carry (numbered also when it moved no money and posted nothing). */
  readonly journal: number;
}

/** The cause of the changes an order's payment makes. */
export const PAID = 'paid';

/**
 * What awards are for: orders (the OrderBook, an order by its number as `key`) or a period close
 * (a PeriodAward, its own owner).
 */
export interface AwardOwner {
  /** The order or the period the awards of `key` are for, as postings refer to it. */
  subject(key: number): { readonly order: string } | { readonly period: string };
  /**
   * The change that first made an award of `amount` (an order's payment, a period's close): an
   * award whose only change is that one keeps none of its own (see AwardBook.changes).
   */
  firstChange(key: number, amount: Minor): AwardAmountChange;
  /** The award object of award `award`: made when first asked, the same one afterwards. */
  recordOf(book: AwardBook, award: number, key: number): AwardRecord;
}

/** Groups one rule's parts into one award per member (its amount and parts), members in order of their first part. */
export function groupParts(parts: readonly AwardPart[]): Map<string, { amount: Minor; parts: AwardPart[] }> {
  const grouped = new Map<string, { amount: Minor; parts: AwardPart[] }>();
  for (const part of parts) {
    const entry = grouped.get(part.to);
    if (entry === undefined) grouped.set(part.to, { amount: part.amount, parts: [part] });
    else {
      entry.amount += part.amount;
      entry.parts.push(part);
    }
  }
  return grouped;
}

const SETTLED = 1;
/** The award's changes are kept in `changes` (else they follow from its owner and amount). */
const KEPT_CHANGES = 2;
const NO_CHANGES: readonly AwardAmountChange[] = Object.freeze([]);

/**
 * All awards of a tenant, by number in the order they were first made, and the ledger entries
 * that move them: award (pending), adjustment (refund recomputation), settlement (to available).
 *
 * A tenant makes millions of awards, a handful per order, and an object per award was most of
 * what the garbage collector copied while orders were paid. So the book keeps each award's
 * figures in columns (columns.ts), and its object (award-records.ts) is made only when someone
 * asks for it — the `award` of an AwardChange, `all()` — and then kept by its owner, so that it is
 * the same object every time. Orders keep the numbers of their awards.
 */
export class AwardBook {
  #count = 0;
  /**
   * The owners of awards, each with the number of its first award here: an order's awards are
   * made one after the other, so an owner is kept once for a run of them (an order's refund that
   * makes a new award later starts another run). Award n belongs to the last run starting at or
   * before n.
   */
  readonly #owners = new ObjectColumn<AwardOwner>();
  readonly #ownerKeys = new IntColumn();
  readonly #runStarts = new IntColumn();
  #runs = 0;
  /** The run found last (settling an order's awards looks up one after the other). */
  #lastRun = 0;
  /**
   * Who each award is to: the member itself when the caller had it at hand (a network member keeps
   * its balance: settling and adjusting the award then posts without looking it up by id), else its id.
   */
  readonly #to = new ObjectColumn<string | Payee>();
  readonly #rules = new SmallColumn();
  readonly #flags = new SmallColumn();
  readonly #amounts = new MoneyColumn();
  /** Rule ids by index (the rule column holds indexes: a tenant has a few dozen rules at most). */
  readonly #ruleIds: string[] = [];
  readonly #ruleIndex = new Map<string, number>();
  /** Changes of awards whose history is more than the payment's award (KEPT_CHANGES). */
  readonly #changes = new Map<number, readonly AwardAmountChange[]>();
  /** The last ref made, for the awards of one owner, rule and refund posted one after the other. */
  #lastRef: { run: number; rule: number; refund: string | undefined; ref: PostingRef } | null = null;
  /** The rule looked up last (an order's awards come rule by rule). */
  #lastRule = '';
  #lastRuleIndex = -1;

  constructor(private readonly ledger: Ledger) {}

  get size(): number {
    return this.#count;
  }

  *all(): IterableIterator<AwardRecord> {
    for (let award = 0; award < this.#count; award++) yield this.recordOf(award);
  }

  /** The object of award `award` (made by its owner when first asked). */
  recordOf(award: number): AwardRecord {
    const run = this.#runOf(award);
    return this.#owners.get(run).recordOf(this, award, this.#ownerKeys.get(run));
  }

  /** Opens a new award of `to` under `rule` for (`owner`, `key`), at zero until `setAmount`; returns its number. */
  add(owner: AwardOwner, key: number, to: string, rule: string, settled: boolean, payee?: Payee): number {
    const award = this.#count++;
    const last = this.#runs - 1;
    if (last < 0 || this.#owners.get(last) !== owner || this.#ownerKeys.get(last) !== key) {
      this.#owners.set(this.#runs, owner);
      this.#ownerKeys.set(this.#runs, key);
      this.#runStarts.set(this.#runs++, award);
    }
    this.#to.set(award, payee ?? to);
    this.#rules.set(award, this.#ruleIndexOf(rule));
    // A new award's flags and amount are zero already: columns start zeroed, and numbers are never reused.
    if (settled) this.#flags.set(award, SETTLED);
    return award;
  }

  to(award: number): string {
    const to = this.#to.get(award);
    return typeof to === 'string' ? to : to.id;
  }

  /** Where the balance of award `award`'s member is kept at hand, when the award knows it. */
  #slotOf(award: number): Payee | undefined {
    const to = this.#to.get(award);
    return typeof to === 'string' ? undefined : to;
  }

  rule(award: number): string {
    return this.#ruleIds[this.#rules.get(award)]!;
  }

  /** Whether award `award` is `to`'s under `rule` (without looking the rule up by id per award). */
  is(award: number, to: string, rule: string): boolean {
    return this.to(award) === to && this.#ruleIds[this.#rules.get(award)] === rule;
  }

  amount(award: number): Minor {
    return this.#amounts.get(award);
  }

  /** The amount as a RunningSum: a number while it is a safe integer (readers summing millions of awards). */
  amountSum(award: number): RunningSum {
    return this.#amounts.getSum(award);
  }

  /** The rule of award `award` as an index into `ruleIds` (readers grouping millions of awards by rule). */
  ruleIndex(award: number): number {
    return this.#rules.get(award);
  }

  /** The rule ids, by index (see ruleIndex). */
  get ruleIds(): readonly string[] {
    return this.#ruleIds;
  }

  /** The awards of periods (not of orders), in order: a reader of period awards need not make every order's. */
  *periodAwards(): IterableIterator<AwardRecord> {
    for (let run = 0; run < this.#runs; run++) {
      const owner = this.#owners.get(run);
      if (!(owner instanceof PeriodAward)) continue;
      const end = run + 1 < this.#runs ? this.#runStarts.get(run + 1) : this.#count;
      for (let award = this.#runStarts.get(run); award < end; award++) yield this.recordOf(award);
    }
  }

  status(award: number): AwardStatus {
    return (this.#flags.get(award) & SETTLED) !== 0 ? 'settled' : 'pending';
  }

  /** Every change of the amount; an order's award made at payment and never changed keeps none. */
  changes(award: number): readonly AwardAmountChange[] {
    if ((this.#flags.get(award) & KEPT_CHANGES) !== 0) return this.#changes.get(award)!;
    const amount = this.#amounts.get(award);
    return amount === 0n ? NO_CHANGES : [this.#firstChange(award, amount)];
  }

  /**
   * Opens the award an order's payment makes and posts it: `add` then `setAmount` from zero, in
   * one step (the award is new, pending, and its one change is the payment's: none to keep).
   */
  pay(
    owner: AwardOwner,
    key: number,
    to: string,
    rule: string,
    amount: RunningSum,
    /** The instant of the owner's first change (see AwardOwner.firstChange), which is when it is made. */
    at: InstantMs,
    out: { postingLog: PostingLog; awards: AwardChange[] },
    slot?: Payee,
  ): number {
    const award = this.add(owner, key, to, rule, false, slot);
    if (isZero(amount)) return award;
    this.#amounts.set(award, amount);
    // `at` is the owner's first change's (see PaymentChange): the order's payment, the period's close.
    const change = new PaymentChange(this, award, amount, this.ledger.nextJournal());
    out.awards.push(change);
    out.postingLog.pushSource(change);
    this.ledger.credit(to, slot, 'pending', amount);
    return award;
  }

  /** When award `award` was first made (its owner's payment or close), for a PaymentChange read. */
  madeAt(award: number): InstantMs {
    return this.#firstChange(award, 0n).at;
  }

  /**
   * Brings the award to `amount`: posts the difference (whatever its sign) to pending, or to
   * available once settled. The first posting of a new award is an award, later ones adjustments.
   */
  setAmount(
    award: number,
    newAmount: RunningSum,
    isNew: boolean,
    at: InstantMs,
    cause: string,
    refund: string | undefined,
    out: { postingLog: PostingLog; awards: AwardChange[] },
    /** Where the member's balance is kept at hand, when the caller knows (see BalanceSlot). */
    slot: BalanceSlot | undefined = this.#slotOf(award),
  ): void {
    const amount = sumValue(newAmount);
    const current = this.#amounts.get(award);
    // From zero (a new award), the delta is the amount itself: one BigInt less.
    const delta = current === 0n ? amount : amount - current;
    if (delta === 0n) return;
    this.#recordChange(award, amount, delta, at, cause);
    const account = (this.#flags.get(award) & SETTLED) !== 0 ? AVAILABLE : PENDING;
    const change = new BookedChange(
      this,
      award,
      delta,
      isNew ? 'award' : 'adjustment',
      this.ledger.nextJournal(),
      at,
      refund,
      account,
    );
    this.#book(out, change, this.to(award), slot);
  }

  /** Moves a pending award to available. */
  settle(
    award: number,
    at: InstantMs,
    out: { postingLog: PostingLog; awards: AwardChange[] },
    slot: BalanceSlot | undefined = this.#slotOf(award),
  ): void {
    const flags = this.#flags.get(award);
    if ((flags & SETTLED) !== 0) return;
    this.#flags.set(award, flags | SETTLED);
    const change = new BookedChange(
      this,
      award,
      this.#amounts.getSum(award),
      'settlement',
      this.ledger.nextJournal(),
      at,
      undefined,
      PENDING,
    );
    this.#book(out, change, this.to(award), slot);
  }

  /**
   * Reports a change and posts its journal (when it moves any money): the change is its own
   * journal of two postings, made into Posting objects only if someone reads them (PostingLog).
   */
  #book(
    out: { postingLog: PostingLog; awards: AwardChange[] },
    change: BookedChange,
    to: string,
    slot: BalanceSlot | undefined,
  ): void {
    out.awards.push(change);
    const amount = change.amount;
    if (isZero(amount)) return;
    out.postingLog.pushSource(change);
    if (change.cause === 'settlement') {
      this.ledger.move(to, slot, amount);
    } else {
      this.ledger.credit(to, slot, change.account === AVAILABLE ? 'available' : 'pending', amount);
    }
  }

  #recordChange(award: number, amount: Minor, delta: Minor, at: InstantMs, cause: string): void {
    const flags = this.#flags.get(award);
    const before = this.changes(award);
    this.#amounts.set(award, amount);
    // The change that first makes an award (an order's payment, a period's close) is not kept:
    // it follows from the owner and the amount (`changes`), and most awards never change again.
    const first = before.length === 0 && delta === amount ? this.#firstChange(award, amount) : null;
    const atPayment = first !== null && first.at === at && first.cause === cause;
    if (atPayment) {
      if ((flags & KEPT_CHANGES) !== 0) this.#changes.delete(award);
      this.#flags.set(award, flags & ~KEPT_CHANGES);
      return;
    }
    this.#changes.set(award, [...before, { at, delta, cause }]);
    this.#flags.set(award, flags | KEPT_CHANGES);
  }

  #firstChange(award: number, amount: Minor): AwardAmountChange {
    const run = this.#runOf(award);
    return this.#owners.get(run).firstChange(this.#ownerKeys.get(run), amount);
  }

  /** The run award `award` is in: the last starting at or before it (binary search, the last one found first). */
  #runOf(award: number): number {
    const last = this.#lastRun;
    if (this.#runStarts.get(last) <= award && (last + 1 === this.#runs || this.#runStarts.get(last + 1) > award)) return last;
    let low = 0;
    let high = this.#runs - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.#runStarts.get(middle) <= award) low = middle;
      else high = middle - 1;
    }
    return (this.#lastRun = low);
  }

  #ruleIndexOf(rule: string): number {
    if (rule === this.#lastRule) return this.#lastRuleIndex;
    this.#lastRule = rule;
    let index = this.#ruleIndex.get(rule);
    if (index === undefined) {
      index = this.#ruleIds.push(rule) - 1;
      this.#ruleIndex.set(rule, index);
    }
    return (this.#lastRuleIndex = index);
  }

  /**
   * What the postings of an award refer to: the order (or period), rule and refund, not the
   * member. Made when the postings are read (PostingLog), not as they are written: a simulation
   * never reads them. The awards of one rule for one order, read one after the other, share the
   * object of the last one (postings are read, never changed).
   */
  refOf(award: number, refund: string | undefined): PostingRef {
    const run = this.#runOf(award);
    const rule = this.#rules.get(award);
    const last = this.#lastRef;
    if (last !== null && last.run === run && last.rule === rule && last.refund === refund) return last.ref;
    const ruleId = this.#ruleIds[rule]!;
    const subject = this.#owners.get(run).subject(this.#ownerKeys.get(run));
    const ref: { order?: string; period?: string; rule: string; refund?: string } =
      'order' in subject ? { order: subject.order, rule: ruleId } : { period: subject.period, rule: ruleId };
    if (refund !== undefined) ref.refund = refund;
    this.#lastRef = { run, rule, refund, ref };
    return ref;
  }
}

const PENDING = 0;
const AVAILABLE = 1;

/**
 * A change of an award as an apply call reports it, and the journal it posts: an award or an
 * adjustment moves `amount` to the member's pending (or available, once settled) against
 * commission expense; a settlement moves `amount` from the member's pending to its available.
 *
 * One object for both, made into an award object and two Posting objects only when read: paying
 * an order makes a handful, and callers that only count them (a simulation, a benchmark) never
 * read them. (A change and a posting pair apiece were a tenth of what a year's simulation allocated.)
 */
class BookedChange implements AwardChange, PostingSource {
  constructor(
    readonly book: AwardBook,
    readonly number: number,
    /** What the journal moves; a number while it is a safe integer (made into a BigInt when read). */
    readonly amount: RunningSum,
    readonly cause: 'award' | 'adjustment' | 'settlement',
    readonly journal: number,
    readonly at: InstantMs,
    readonly refund: string | undefined,
    /** The member's account an award or adjustment moves (PENDING or AVAILABLE). */
    readonly account: number,
  ) {}

  get award(): AwardRecord {
    return this.book.recordOf(this.number);
  }

  /** The change of the award's amount: none for a settlement. */
  get delta(): Minor {
    return this.cause === 'settlement' ? 0n : sumValue(this.amount);
  }

  writeTo(sink: PostingSink): void {
    const { journal, at, number, amount } = this;
    const ref = this.book.refOf(number, this.refund);
    const member = this.book.to(number);
    if (this.cause === 'settlement') {
      sink.posting(journal, at, 'settlement', 'pending', member, negated(amount), ref);
      sink.posting(journal, at, 'settlement', 'available', member, amount, ref);
      return;
    }
    const account = this.account === AVAILABLE ? 'available' : 'pending';
    sink.posting(journal, at, this.cause, account, member, amount, ref);
    sink.posting(journal, at, this.cause, 'commission_expense', null, negated(amount), ref);
  }
}

/**
 * The change an award's payment makes (AwardBook.pay), which is most of them: a BookedChange of
 * an award to pending, with what follows from that left out. Its instant is the owner's first
 * change's, read back when asked. Half the size of a BookedChange, and no boxed number for the
 * instant: an order makes half a dozen, and they were most of the garbage of its payment.
 */
class PaymentChange implements AwardChange, PostingSource {
  constructor(
    readonly book: AwardBook,
    readonly number: number,
    /** The award's amount at payment; a number while it is a safe integer (made into a BigInt when read). */
    readonly amount: RunningSum,
    readonly journal: number,
  ) {}

  get cause(): 'award' {
    return 'award';
  }

  get award(): AwardRecord {
    return this.book.recordOf(this.number);
  }

  get delta(): Minor {
    return sumValue(this.amount);
  }

  writeTo(sink: PostingSink): void {
    const { journal, number, book, amount } = this;
    const at = book.madeAt(number);
    const ref = book.refOf(number, undefined);
    const member = book.to(number);
    sink.posting(journal, at, 'award', 'pending', member, amount, ref);
    sink.posting(journal, at, 'award', 'commission_expense', null, negated(amount), ref);
  }
}
