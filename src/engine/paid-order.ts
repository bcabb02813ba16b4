import type { CompiledPlan } from '../schema/plan.ts';
import type { InstantMs, Minor, OrderPaid, TenantSettings } from '../domain/types.ts';
import { OrderAwardRecord, type AwardingOrder } from './award-records.ts';
import type { AwardBook, AwardOwner, AwardRecord } from './awards.ts';
import type { Member } from './network.ts';
import { explainOrderAward } from './order-awards.ts';
import type { EngineState, OrderLineState, OrderRecord } from './state.ts';
import type { ChainLink, Explanation, OrderInput } from './templates/template.ts';

/** Where an order was picked up and delivered, when it says (most orders say neither). */
export interface OrderPlace {
  readonly pickup: OrderInput['pickup'];
  readonly region: string | null;
  readonly regionHolders: OrderInput['regionHolders'];
}

/** What only some orders have: kept apart, so that the others do not carry the room for it. */
interface OrderExtra {
  /** The chain before compression, when compression left someone out. */
  readonly fullChain: readonly ChainLink[] | null;
  readonly place: OrderPlace | null;
  /** Per-line refund state, once a refund came (or someone asked for the lines). */
  lines: OrderLineState[] | null;
  /** Awards a refund made after payment (their numbers are not next to the payment's). */
  laterAwards: number[] | null;
  /** Its awards' objects, made when first asked (see AwardBook), by position among its awards. */
  records: AwardRecord[] | null;
}

const NO_HOLDERS: OrderInput['regionHolders'] = Object.freeze({});

/**
 * An order paid: its event, the plan and the payment-time context its awards are computed on
 * (seller, chains, pickup and region holders: fixed for ever), its awards, and what is left of it
 * after refunds.
 *
 * A tenant keeps every order, and each object an order keeps is copied by the garbage collector
 * once or twice before it settles in the old generation: at a hundred thousand orders a second
 * that copying was a third of the time. So an order is one object that is also its own context
 * (`context` is itself), derives what it can from its event (id, instant, buyer, seller id), shares
 * its chain with the seller's other orders (Network.chainOf), keeps its awards' numbers in the
 * AwardBook rather than award objects, and keeps what only some orders have in one `#extra`.
 */
export class PaidOrder implements OrderRecord, AwardOwner, AwardingOrder {
  netPaid: Minor;
  completedAt: InstantMs | null = null;
  settled = false;
  /** Its awards in the AwardBook: `#awardCount` numbers from `#firstAward` (the payment's, made one after the other), then `laterAwards`. */
  #firstAward = -1;
  #awardCount = 0;
  #extra: OrderExtra | null;
  readonly #tenant: Pick<EngineState, 'settings' | 'awards'>;

  constructor(
    tenant: Pick<EngineState, 'settings' | 'awards'>,
    readonly event: OrderPaid,
    readonly plan: CompiledPlan,
    /** Who sold it (DOMAIN.md, "Binding and who sold"); null for a guest's order. */
    readonly seller: Member | null,
    /** Seller first, then upward; inactive members left out when compression applies. */
    readonly chain: readonly ChainLink[],
    fullChain: readonly ChainLink[],
    place: OrderPlace | null,
  ) {
    this.#tenant = tenant;
    const compressed = fullChain !== chain;
    this.#extra = compressed || place !== null ? { fullChain: compressed ? fullChain : null, place, lines: null, laterAwards: null, records: null } : null;
    this.netPaid = paidOf(event);
  }

  get settings(): TenantSettings {
    return this.#tenant.settings;
  }

  #extraOf(): OrderExtra {
    return (this.#extra ??= { fullChain: null, place: null, lines: null, laterAwards: null, records: null });
  }

  // ----- its awards ---------------------------------------------------------------------------

  /** How many awards it has (each member paid under each rule, zero or not). */
  get awardCount(): number {
    const later = this.#extra?.laterAwards;
    return later ? this.#awardCount + later.length : this.#awardCount;
  }

  /** The number in the AwardBook of its `position`-th award. */
  awardNumber(position: number): number {
    return position < this.#awardCount ? this.#firstAward + position : this.#extra!.laterAwards![position - this.#awardCount]!;
  }

  /** Counts award `award` (just opened in the book) as one of its own. */
  noteAward(award: number): void {
    if (this.#firstAward < 0) this.#firstAward = award;
    if (!this.#extra?.laterAwards && award === this.#firstAward + this.#awardCount) this.#awardCount += 1;
    else (this.#extraOf().laterAwards ??= []).push(award);
  }

  /** Its awards as objects (for readers; the engine works with their numbers). */
  get awards(): AwardRecord[] {
    const book = this.#tenant.awards;
    return Array.from({ length: this.awardCount }, (_, position) => this.recordOf(book, this.awardNumber(position)));
  }

  recordOf(book: AwardBook, award: number): AwardRecord {
    let position = award - this.#firstAward;
    if (position < 0 || position >= this.#awardCount) position = this.#awardCount + this.#extra!.laterAwards!.indexOf(award);
    const records = (this.#extraOf().records ??= []);
    return (records[position] ??= new OrderAwardRecord(book, award, this));
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
    return this.seller === null ? null : this.seller.id;
  }

  get fullChain(): readonly ChainLink[] {
    return this.#extra?.fullChain ?? this.chain;
  }

  get pickup(): OrderInput['pickup'] {
    return this.#extra?.place?.pickup ?? null;
  }

  get region(): string | null {
    return this.#extra?.place?.region ?? null;
  }

  get regionHolders(): OrderInput['regionHolders'] {
    return this.#extra?.place?.regionHolders ?? NO_HOLDERS;
  }

  /** The payment-time context: the order itself. */
  get context(): this {
    return this;
  }

  /** Its lines with what was refunded of each (made at the first look: most orders are never refunded). */
  get lines(): OrderLineState[] {
    const extra = this.#extraOf();
    return (extra.lines ??= this.event.lines.map((input) => ({ input, refundedQty: 0, refundedAmount: 0n })));
  }

  /** Whether the lines' refund state was made (else no line was ever refunded). */
  get hasLineStates(): boolean {
    return (this.#extra?.lines ?? null) !== null;
  }
}

/** What the order's lines paid. From the first line, not 0n: a one-line order makes no new BigInt. */
function paidOf(event: OrderPaid): Minor {
  let paid = event.lines[0]?.paid ?? 0n;
  for (let i = 1; i < event.lines.length; i++) paid += event.lines[i]!.paid;
  return paid;
}
