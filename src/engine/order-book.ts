import type { InstantMs, Minor, OrderPaid, TenantSettings } from '../domain/types.ts';
import type { CompiledPlan } from '../schema/plan.ts';
import { OrderAwardRecord } from './award-records.ts';
import { PAID, type AwardAmountChange, type AwardBook, type AwardOwner, type AwardRecord } from './awards.ts';
import { addToSum, type RunningSum } from '../money/running-sum.ts';
import { FloatColumn, IntColumn, MoneyColumn, ObjectColumn, SmallColumn } from './columns.ts';
import type { Member } from './network.ts';
import { IdIndex } from './id-index.ts';
import { PaidOrder, type OrderPlace } from './paid-order.ts';
import type { OrderLineState } from './state.ts';
import type { ChainLink } from './templates/template.ts';

/** What only some orders have: kept aside, by order number, so that the others carry no room for it. */
interface OrderExtra {
  /** The chain before compression, when compression left someone out. */
  fullChain: readonly ChainLink[] | null;
  place: OrderPlace | null;
  /** Per-line refund state, once a refund came (or someone asked for the lines). */
  lines: OrderLineState[] | null;
  /** Awards a refund made after payment (their numbers are not next to the payment's). */
  laterAwards: number[] | null;
}

const SETTLED = 1;
/** Completed (its freeze started at `completedAt`). */
const COMPLETED = 2;
/** It has an OrderExtra (most orders have none: no lookup in the map of extras for them). */
const HAS_EXTRA = 4;

/**
 * Every order paid, by number in the order they were paid, and by id (a read-only Map of
 * PaidOrder objects for readers). Paying an order writes its figures in columns (columns.ts):
 * an object per order (the previous design) was the largest thing the garbage collector copied
 * while orders were paid. A PaidOrder is a view of one number, made when asked for.
 *
 * Each order keeps its event (the same order id again is compared with it: idempotency), the plan
 * version of its payment, its seller and chains (fixed for ever: refunds recompute with them), its
 * net paid, and the numbers of its awards in the AwardBook: the payment's, made one after the
 * other (`firstAward`, `awardCount`), then any a refund made (`laterAwards`).
 */
export class OrderBook implements ReadonlyMap<string, PaidOrder>, AwardOwner {
  #count = 0;
  /** Order ids to numbers (see IdIndex: a Map of millions of ids was a tenth of a year's simulation). */
  readonly #numbers = new IdIndex(this);
  /** Each order's id, by number: what the index confirms a match with (its event is a cache miss further). */
  readonly #ids = new ObjectColumn<string>();
  readonly #events = new ObjectColumn<OrderPaid>();
  readonly #sellers = new ObjectColumn<Member | null>();
  readonly #chains = new ObjectColumn<readonly ChainLink[]>();
  readonly #plans = new ObjectColumn<CompiledPlan>();
  readonly #netPaid = new MoneyColumn();
  readonly #flags = new SmallColumn();
  readonly #completedAt = new FloatColumn();
  readonly #firstAward = new IntColumn();
  readonly #awardCount = new IntColumn();
  readonly #extras = new Map<number, OrderExtra>();

  constructor(readonly tenant: { readonly settings: TenantSettings; readonly awards: AwardBook }) {}

  /** Keeps a new order; returns its number. */
  add(
    event: OrderPaid,
    plan: CompiledPlan,
    seller: Member | null,
    chain: readonly ChainLink[],
    fullChain: readonly ChainLink[],
    place: OrderPlace | null,
  ): number {
    const order = this.#count++;
    this.#numbers.add(event.order, order);
    this.#ids.set(order, event.order);
    this.#events.set(order, event);
    this.#plans.set(order, plan);
    this.#sellers.set(order, seller);
    this.#chains.set(order, chain);
    this.#netPaid.set(order, paidOf(event));
    if (fullChain !== chain || place !== null) this.#extraOf(order).fullChain = fullChain === chain ? null : fullChain;
    if (place !== null) this.#extraOf(order).place = place;
    return order;
  }

  /** The id of order number `order` (IdIndex). */
  idOf(order: number): string {
    return this.#ids.get(order);
  }

  /** The number of order `id`, or −1 when it was never paid. */
  numberOf(id: string): number {
    return this.#numbers.get(id);
  }

  event(order: number): OrderPaid {
    return this.#events.get(order);
  }

  plan(order: number): CompiledPlan {
    return this.#plans.get(order);
  }

  seller(order: number): Member | null {
    return this.#sellers.get(order);
  }

  chain(order: number): readonly ChainLink[] {
    return this.#chains.get(order);
  }

  fullChain(order: number): readonly ChainLink[] {
    return this.#extra(order)?.fullChain ?? this.#chains.get(order);
  }

  place(order: number): OrderPlace | null {
    return this.#extra(order)?.place ?? null;
  }

  netPaid(order: number): Minor {
    return this.#netPaid.get(order);
  }

  /** The net paid as a RunningSum: a number while it is a safe integer (no BigInt made). */
  netPaidSum(order: number): RunningSum {
    return this.#netPaid.getSum(order);
  }

  setNetPaid(order: number, amount: Minor): void {
    this.#netPaid.set(order, amount);
  }

  completedAt(order: number): InstantMs | null {
    return (this.#flags.get(order) & COMPLETED) !== 0 ? this.#completedAt.get(order) : null;
  }

  complete(order: number, at: InstantMs): void {
    this.#completedAt.set(order, at);
    this.#flags.set(order, this.#flags.get(order) | COMPLETED);
  }

  settled(order: number): boolean {
    return (this.#flags.get(order) & SETTLED) !== 0;
  }

  settle(order: number): void {
    this.#flags.set(order, this.#flags.get(order) | SETTLED);
  }

  /** Its lines with what was refunded of each (made at the first look: most orders are never refunded). */
  lines(order: number): OrderLineState[] {
    const extra = this.#extraOf(order);
    return (extra.lines ??= this.event(order).lines.map((input) => ({ input, refundedQty: 0, refundedAmount: 0n })));
  }

  /** Whether the lines' refund state was made (else no line was ever refunded). */
  hasLineStates(order: number): boolean {
    return (this.#extra(order)?.lines ?? null) !== null;
  }

  // ----- its awards ---------------------------------------------------------------------------

  /** How many awards it has (each member paid under each rule, zero or not). */
  awardCount(order: number): number {
    const later = this.#extra(order)?.laterAwards;
    return this.#awardCount.get(order) + (later ? later.length : 0);
  }

  /** The number in the AwardBook of its `position`-th award. */
  awardNumber(order: number, position: number): number {
    const count = this.#awardCount.get(order);
    return position < count ? this.#firstAward.get(order) + position : this.#extra(order)!.laterAwards![position - count]!;
  }

  /** Counts award `award` (just opened in the book) as one of the order's own. */
  noteAward(order: number, award: number): void {
    const count = this.#awardCount.get(order);
    if (count === 0 && this.awardCount(order) === 0) this.#firstAward.set(order, award);
    if (this.#extra(order)?.laterAwards == null && award === this.#firstAward.get(order) + count)
      this.#awardCount.set(order, count + 1);
    else (this.#extraOf(order).laterAwards ??= []).push(award);
  }

  /**
   * Counts awards `first` to `first + count − 1`, the ones its payment made one after the other,
   * as the order's own: noteAward for each, in one step (an order that has none yet).
   */
  notePaymentAwards(order: number, first: number, count: number): void {
    if (count === 0) return;
    this.#firstAward.set(order, first);
    this.#awardCount.set(order, count);
  }

  subject(order: number): { readonly order: string } {
    return { order: this.event(order).order };
  }

  firstChange(order: number, amount: Minor): AwardAmountChange {
    return { at: this.event(order).at, delta: amount, cause: PAID };
  }

  /**
   * A view of one of the order's awards, made anew each time: kept, one per award, they were a
   * sixth of a server's heap (a record and an order view for every award ever made).
   */
  recordOf(book: AwardBook, award: number, order: number): AwardRecord {
    return new OrderAwardRecord(book, award, new PaidOrder(this, order));
  }

  // ----- a read-only Map of PaidOrder objects, by id -------------------------------------------

  get size(): number {
    return this.#count;
  }

  get(id: string): PaidOrder | undefined {
    const order = this.#numbers.get(id);
    return order < 0 ? undefined : new PaidOrder(this, order);
  }

  has(id: string): boolean {
    return this.#numbers.get(id) >= 0;
  }

  *entries(): MapIterator<[string, PaidOrder]> {
    for (let order = 0; order < this.#count; order++) yield [this.event(order).order, new PaidOrder(this, order)];
  }

  *keys(): MapIterator<string> {
    for (let order = 0; order < this.#count; order++) yield this.event(order).order;
  }

  *values(): MapIterator<PaidOrder> {
    for (let order = 0; order < this.#count; order++) yield new PaidOrder(this, order);
  }

  [Symbol.iterator](): MapIterator<[string, PaidOrder]> {
    return this.entries();
  }

  forEach(callback: (value: PaidOrder, key: string, map: ReadonlyMap<string, PaidOrder>) => void): void {
    for (const [id, order] of this.entries()) callback(order, id, this);
  }

  #extra(order: number): OrderExtra | undefined {
    return (this.#flags.get(order) & HAS_EXTRA) === 0 ? undefined : this.#extras.get(order);
  }

  #extraOf(order: number): OrderExtra {
    let extra = this.#extra(order);
    if (extra === undefined) {
      extra = { fullChain: null, place: null, lines: null, laterAwards: null };
      this.#extras.set(order, extra);
      this.#flags.set(order, this.#flags.get(order) | HAS_EXTRA);
    }
    return extra;
  }
}

/**
 * What the order's lines paid, as a running sum: added as numbers while they are safe integers
 * (a BigInt addition makes a BigInt and calls into the runtime; the column keeps a number anyway).
 */
function paidOf(event: OrderPaid): RunningSum {
  const lines = event.lines;
  let paid: RunningSum = 0;
  for (let i = 0; i < lines.length; i++) paid = addToSum(paid, lines[i]!.paid);
  return paid;
}
