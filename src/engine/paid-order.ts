import type { CompiledPlan } from '../schema/plan.ts';
import type { InstantMs, Minor, OrderPaid, TenantSettings } from '../domain/types.ts';
import type { AwardingOrder } from './award-records.ts';
import type { AwardRecord } from './awards.ts';
import type { Member } from './network.ts';
import { explainOrderAward } from './order-awards.ts';
import type { OrderBook } from './order-book.ts';
import type { OrderLineState, OrderRecord } from './state.ts';
import type { ChainLink, Explanation, OrderInput } from './templates/template.ts';

/** Where an order was picked up and delivered, when it says (most orders say neither). */
export interface OrderPlace {
  readonly pickup: OrderInput['pickup'];
  readonly region: string | null;
  readonly regionHolders: OrderInput['regionHolders'];
}

const NO_HOLDERS: OrderInput['regionHolders'] = Object.freeze({});

/**
 * An order paid, as one object: a view of its number in the OrderBook, which keeps its figures
 * (see order-book.ts for why). Made when asked for; two views of one order see the same figures.
 * It is also its own payment-time context (`context` is itself): seller, chains, pickup and
 * region holders, fixed for ever.
 */
export class PaidOrder implements OrderRecord, AwardingOrder {
  constructor(
    readonly book: OrderBook,
    /** Its number in the book. */
    readonly number: number,
  ) {}

  get event(): OrderPaid {
    return this.book.event(this.number);
  }

  get plan(): CompiledPlan {
    return this.book.plan(this.number);
  }

  get settings(): TenantSettings {
    return this.book.tenant.settings;
  }

  /** Who sold it (DOMAIN.md, "Binding and who sold"); null for a guest's order. */
  get seller(): Member | null {
    return this.book.seller(this.number);
  }

  /** Seller first, then upward; inactive members left out when compression applies. */
  get chain(): readonly ChainLink[] {
    return this.book.chain(this.number);
  }

  get fullChain(): readonly ChainLink[] {
    return this.book.fullChain(this.number);
  }

  get netPaid(): Minor {
    return this.book.netPaid(this.number);
  }

  set netPaid(amount: Minor) {
    this.book.setNetPaid(this.number, amount);
  }

  get completedAt(): InstantMs | null {
    return this.book.completedAt(this.number);
  }

  get settled(): boolean {
    return this.book.settled(this.number);
  }

  /** Its awards as objects (for readers; the engine works with their numbers, see OrderBook). */
  get awards(): AwardRecord[] {
    const { book, number } = this;
    const awards = book.tenant.awards;
    return Array.from({ length: book.awardCount(number) }, (_, position) => awards.recordOf(book.awardNumber(number, position)));
  }

  explain(rule: string, to: string): readonly Explanation[] {
    return explainOrderAward(this, rule, to);
  }

  // ----- what it derives from its event -------------------------------------------------------

  get id(): string {
    return this.event.order;
  }

  get order(): string {
    return this.event.order;
  }

  get paidAt(): InstantMs {
    return this.event.at;
  }

  get buyer(): string {
    return this.event.buyer;
  }

  get sellerId(): string | null {
    return this.seller?.id ?? null;
  }

  get pickup(): OrderInput['pickup'] {
    return this.book.place(this.number)?.pickup ?? null;
  }

  get region(): string | null {
    return this.book.place(this.number)?.region ?? null;
  }

  get regionHolders(): OrderInput['regionHolders'] {
    return this.book.place(this.number)?.regionHolders ?? NO_HOLDERS;
  }

  /** The payment-time context: the order itself. */
  get context(): this {
    return this;
  }

  /** Its lines with what was refunded of each. */
  get lines(): OrderLineState[] {
    return this.book.lines(this.number);
  }
}
