import type { Minor, OrderLineInput } from '../domain/types.ts';
import { exact, type Exact } from '../money/rate.ts';
import { addTo, safeNumber, type RunningSum } from '../money/running-sum.ts';
import type { Member } from './network.ts';
import type { PaidOrder } from './paid-order.ts';
import type { EngineState } from './state.ts';
import { explainedParts } from './templates/parts.ts';
import type { ChainLink, Explanation, NetLine, OrderInput, OrderTemplate, PartSink } from './templates/template.ts';
import type { Work } from './work.ts';

/**
 * An order line net of refunds; its cost is scaled to the net quantity, exactly. The cost is
 * worked out when a template asks for it (a profit base): it takes three BigInts a line, and
 * most plans pay on the paid amount.
 */
class OrderNetLine implements NetLine {
  readonly line: number;
  readonly sku: string;
  readonly category: string | undefined;
  readonly qty: number;
  readonly paid: Minor;
  readonly paidNumber: number;
  readonly #input: OrderLineInput;
  #paidBase: Exact | null = null;

  constructor(input: OrderLineInput, refundedQty: number, refundedAmount: Minor) {
    this.line = input.line;
    this.sku = input.sku;
    this.category = input.category;
    this.qty = input.qty - refundedQty;
    this.paid = refundedAmount === 0n ? input.paid : input.paid - refundedAmount; // no BigInt made when nothing was refunded
    this.paidNumber = safeNumber(this.paid) ?? Number.NaN;
    this.#input = input;
  }

  /** `paid` as an exact base, one object for every template that asks (most work in doubles and never do). */
  get paidBase(): Exact {
    return (this.#paidBase ??= exact(this.paid));
  }

  get cost(): Exact {
    const cost = this.#input.cost ?? 0n;
    return { num: cost * BigInt(this.qty), den: BigInt(this.#input.qty) };
  }
}

/** The order's lines net of refunds (its event's lines as they are while nothing was refunded). */
export function netLines(order: PaidOrder): NetLine[] {
  if (!order.book.hasLineStates(order.number)) return order.event.lines.map((input) => new OrderNetLine(input, 0, 0n));
  return order.lines.map((state) => new OrderNetLine(state.input, state.refundedQty, state.refundedAmount));
}

/** What an order's templates compute on: its payment-time context and its net lines. */
function orderInput(order: PaidOrder): OrderInput {
  // Field by field: spreading the context costs more than the rest of this function.
  return {
    settings: order.settings,
    order: order.id,
    paidAt: order.paidAt,
    lines: netLines(order),
    sellerId: order.sellerId,
    chain: order.chain,
    fullChain: order.fullChain,
    pickup: order.pickup,
    region: order.region,
    regionHolders: order.regionHolders,
  };
}

import { PAID } from './awards.ts';

export { PAID };

/** The parts behind `to`'s award under `rule`: its rule run again on the order (same context, same net lines). */
export function explainOrderAward(order: PaidOrder, rule: string, to: string): readonly Explanation[] {
  const compiled = order.plan.templates.find((entry) => entry.id === rule)!;
  const template = compiled.template as OrderTemplate<unknown>;
  const parts = explainedParts(template, rule, compiled.params, orderInput(order));
  const explanations = parts.filter((part) => part.to === to).map((part) => part.explanation);
  const inactiveDays = order.plan.plan.compression?.inactiveDays;
  if (inactiveDays === undefined || order.fullChain === order.chain) return explanations;
  return explanations.map((explanation) => withCompression(explanation, order, inactiveDays));
}

/**
 * An explanation of a chain position above members that compression skipped: says where the
 * member stands in the network and who was skipped below it, so the position is not a riddle.
 */
function withCompression(explanation: Explanation, order: PaidOrder, inactiveDays: number): Explanation {
  const position = explanation.position;
  if (position === undefined || position === 0) return explanation;
  const link = order.chain[position];
  const networkPosition = order.fullChain.findIndex((member) => member.id === link?.id);
  if (link === undefined || networkPosition <= position) return explanation;
  const active = new Set(order.chain.slice(0, position).map((member) => member.id));
  const skipped = order.fullChain
    .slice(1, networkPosition)
    .filter((member) => !active.has(member.id))
    .map((member) => member.id);
  return { ...explanation, compressed: { networkPosition, skipped, inactiveDays } };
}

/**
 * Each member's amount in a template's parts, in order of first appearance, without
 * explanations; amounts as numbers while they are safe integers (see templates/parts.ts). A
 * template pays a handful of members per order: a linear search beats a Map.
 *
 * Chain members come by their link (addLinkNumber), compared by identity: comparing two ids
 * reads both strings, a cache miss each at first, and so would finding their Member by id (see
 * Upline). One chain has one link per member, so a link not found is a new member, unless the
 * same member was added by id (a template mixing both): those entries are compared by id.
 */
class MemberSums implements PartSink {
  readonly explaining = false;
  /** Members summed so far: the first `size` entries of the arrays, which keep their room. */
  size = 0;
  readonly members: string[] = [];
  readonly amounts: RunningSum[] = [];
  /** The link each member came by, or null when added by id. */
  readonly links: (ChainLink | null)[] = [];
  /** How many entries were added by id. */
  #byId = 0;

  add(to: string, amount: Minor): void {
    this.#add(to, amount);
  }

  addNumber(to: string, amount: number): void {
    this.#add(to, amount);
  }

  addLinkNumber(link: ChainLink, amount: number): void {
    for (let i = 0; i < this.size; i++) {
      if (this.links[i] === link || (this.#byId > 0 && this.links[i] === null && this.members[i] === link.id)) {
        this.amounts[i] = addTo(this.amounts[i]!, amount);
        return;
      }
    }
    this.#push(link.id, link, amount);
  }

  #add(to: string, amount: RunningSum): void {
    for (let i = 0; i < this.size; i++) {
      if (this.members[i] === to) {
        this.amounts[i] = addTo(this.amounts[i]!, amount);
        return;
      }
    }
    this.#byId += 1;
    this.#push(to, null, amount);
  }

  #push(to: string, link: ChainLink | null, amount: RunningSum): void {
    this.members[this.size] = to;
    this.links[this.size] = link;
    this.amounts[this.size] = amount;
    this.size += 1;
  }

  /** Where entry `i`'s member keeps its balance, when it is one of the seller's upline (see Upline). */
  payee(i: number, upline: Upline): Member | undefined {
    const link = this.links[i] ?? null;
    return (link !== null ? upline.findLink(link) : upline.find(this.members[i]!)) ?? undefined;
  }

  clear(): void {
    this.size = 0;
    this.#byId = 0;
  }
}

/**
 * One for every order: recomputeOrder never runs inside itself. (Most amounts are small integers,
 * which its arrays hold without allocating; an object and two arrays per order added up.)
 */
const SUMS = new MemberSums();

/** The number of `to`'s award under `rule` among an order's awards, or -1 (a loop: no closure per lookup). */
function awardOf(state: EngineState, order: PaidOrder, to: string, rule: string): number {
  const { book, number } = order;
  for (let position = 0; position < book.awardCount(number); position++) {
    const award = book.awardNumber(number, position);
    if (state.awards.is(award, to, rule)) return award;
  }
  return -1;
}

/**
 * The members of a seller's upline, walked as far as asked for, for the order being computed:
 * chain members are most of whom an order pays, and through their Member objects the ledger finds
 * their balances without a lookup in a map of every member. Walked once an order (a cache miss a
 * member, which adding the sale to the team sales of the same members then finds in the cache),
 * not once an award.
 */
class Upline {
  readonly #members: Member[] = [];
  #size = 0;
  #next: Member | null = null;

  /** Starts again from `seller` (null: no one). */
  reset(seller: Member | null): void {
    this.#size = 0;
    this.#next = seller;
  }

  /** The member `to` among the seller and its uplines, or null. */
  find(to: string): Member | null {
    for (let i = 0; i < this.#size; i++) if (this.#members[i]!.id === to) return this.#members[i]!;
    for (let member = this.#next; member !== null; member = member.parent) {
      this.#members[this.#size++] = member;
      this.#next = member.parent;
      if (member.id === to) return member;
    }
    return null;
  }

  /**
   * The same for a chain link: the member whose link it is, compared by identity, without reading
   * the ids. Null when none is (a link made before the member's level changed): the ledger then
   * finds the member by id.
   */
  findLink(link: ChainLink): Member | null {
    for (let i = 0; i < this.#size; i++) if (this.#members[i]!.hasLink(link)) return this.#members[i]!;
    for (let member = this.#next; member !== null; member = member.parent) {
      this.#members[this.#size++] = member;
      this.#next = member.parent;
      if (member.hasLink(link)) return member;
    }
    return null;
  }
}

/** One for every order, as SUMS. */
const UPLINE = new Upline();

/**
 * (Re)computes every order-template award of `order` on its net lines, with the plan and the
 * network of its payment time, and posts the difference to what was awarded before. At payment
 * that is the award itself; after a refund it is an adjustment (a reversal when negative).
 * `seller`, when given, is where to look for the Member objects of those paid (see Upline).
 */
export function recomputeOrder(
  state: EngineState,
  order: PaidOrder,
  cause: string,
  refund: string | undefined,
  work: Work,
  seller: Member | null = null,
): void {
  const { book, number } = order;
  const input = orderInput(order);
  // At payment the order has no awards yet: none to find, none left over. (Each template pays a
  // member once, and template ids are unique, so the awards made here are all new.)
  const count = book.awardCount(number);
  const paying = count === 0;
  const untouched = paying ? null : new Set(Array.from({ length: count }, (_, position) => book.awardNumber(number, position)));
  const sums = SUMS;
  const upline = UPLINE;
  upline.reset(seller);
  // The payment itself: every award is new, and its one change is the payment's.
  const atPayment = paying && cause === PAID && work.at === order.paidAt;
  // The awards it makes are numbered one after the other from here (see below).
  const firstPaid = state.awards.size;
  for (const compiled of order.plan.templates) {
    if (compiled.template.kind !== 'order') continue;
    sums.clear();
    (compiled.template as OrderTemplate<unknown>).compute(compiled.id, compiled.params, input, sums);
    if (atPayment) {
      // Nothing else opens an award meanwhile: the order notes them all at the end, in one step.
      for (let i = 0; i < sums.size; i++) {
        const to = sums.members[i]!;
        state.awards.pay(book, number, to, compiled.id, sums.amounts[i]!, work.at, work, sums.payee(i, upline));
      }
      continue;
    }
    for (let i = 0; i < sums.size; i++) {
      const to = sums.members[i]!;
      let award = paying ? -1 : awardOf(state, order, to, compiled.id);
      const isNew = award < 0;
      if (isNew) {
        // A new award of an order that has already settled (made by a refund) is settled too.
        award = state.awards.add(book, number, to, compiled.id, book.settled(number), sums.payee(i, upline));
        book.noteAward(number, award);
      }
      untouched?.delete(award);
      state.awards.setAmount(award, sums.amounts[i]!, isNew, work.at, cause, refund, work);
    }
  }
  if (atPayment) book.notePaymentAwards(number, firstPaid, state.awards.size - firstPaid);
  // Awards no template pays any more (after a refund) go back to zero.
  for (const award of untouched ?? []) state.awards.setAmount(award, 0n, false, work.at, cause, refund, work);
}
