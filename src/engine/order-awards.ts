import type { InstantMs, Minor, OrderLineInput } from '../domain/types.ts';
import { safeNumber, sumValue, type RunningSum } from '../money/running-sum.ts';
import { exact, type Exact } from '../money/rate.ts';
import type { AwardAmountChange, AwardStatus, BookedAward } from './awards.ts';
import type { Member } from './network.ts';
import type { PaidOrder } from './paid-order.ts';
import type { EngineState } from './state.ts';
import { explainedParts } from './templates/parts.ts';
import type { Explanation, NetLine, OrderInput, OrderTemplate, PartSink } from './templates/template.ts';
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
  readonly paidBase: Exact;
  readonly #input: OrderLineInput;

  constructor(input: OrderLineInput, refundedQty: number, refundedAmount: Minor) {
    this.line = input.line;
    this.sku = input.sku;
    this.category = input.category;
    this.qty = input.qty - refundedQty;
    this.paid = refundedAmount === 0n ? input.paid : input.paid - refundedAmount; // no BigInt made when nothing was refunded
    this.paidBase = exact(this.paid);
    this.#input = input;
  }

  get cost(): Exact {
    const cost = this.#input.cost ?? 0n;
    return { num: cost * BigInt(this.qty), den: BigInt(this.#input.qty) };
  }
}

/** The order's lines net of refunds (its event's lines as they are while nothing was refunded). */
export function netLines(order: PaidOrder): NetLine[] {
  if (!order.hasLineStates) return order.event.lines.map((input) => new OrderNetLine(input, 0, 0n));
  return order.lines.map((state) => new OrderNetLine(state.input, state.refundedQty, state.refundedAmount));
}

/** What an order's templates compute on: its payment-time context and its net lines. */
function orderInput(order: PaidOrder): OrderInput {
  // Field by field: spreading the context costs more than the rest of this function.
  return {
    settings: order.settings, order: order.id, paidAt: order.paidAt, lines: netLines(order), sellerId: order.sellerId,
    chain: order.chain, fullChain: order.fullChain, pickup: order.pickup, region: order.region, regionHolders: order.regionHolders,
  };
}

/** The cause of the changes an order's payment makes (`recomputeOrder`). */
export const PAID = 'paid';

const NO_CHANGES: readonly AwardAmountChange[] = Object.freeze([]);

/**
 * An award of one member under one rule for one order. A tenant keeps millions of them, so they
 * keep as little as they can. Their explanations are not kept: they are recomputed when asked,
 * by running its rule again on the order (the same payment-time context, the same net lines),
 * which gives exactly the parts behind the current amount. Nor is the one change most of them
 * ever have, the award made at payment: it follows from the order and the amount (`changes`).
 */
class OrderAward implements BookedAward {
  /** The amount as a number while it is a safe integer (no BigInt kept per award), else a bigint. */
  #amount: RunningSum = 0;
  readonly #source: PaidOrder;
  /** Every change of the amount, or null while the only one is the award made at payment. */
  #changes: readonly AwardAmountChange[] | null = null;

  constructor(readonly to: string, readonly rule: string, source: PaidOrder) {
    this.#source = source;
  }

  get order(): string {
    return this.#source.id;
  }

  get amount(): Minor {
    const amount = this.#amount;
    return amount === 0 ? 0n : sumValue(amount);
  }

  /** Its order's: pending until the order settles, then settled (also for awards a later refund makes). */
  get status(): AwardStatus {
    return this.#source.settled ? 'settled' : 'pending';
  }

  get changes(): readonly AwardAmountChange[] {
    if (this.#changes !== null) return this.#changes;
    return this.#amount === 0 ? NO_CHANGES : [{ at: this.#source.paidAt, delta: this.amount, cause: PAID }];
  }

  changeAmount(amount: Minor, delta: Minor, at: InstantMs, cause: string): void {
    const before = this.changes;
    this.#amount = safeNumber(amount) ?? amount;
    // The award made at payment is not kept: it follows from the order and the amount (`changes`).
    const atPayment = before.length === 0 && cause === PAID && at === this.#source.paidAt && delta === amount;
    this.#changes = atPayment ? null : [...before, { at, delta, cause }];
  }

  markSettled(): void {
    // Nothing of its own to change: its order is marked settled before its awards are.
  }

  get explanations(): readonly Explanation[] {
    const compiled = this.#source.plan.templates.find((entry) => entry.id === this.rule)!;
    const template = compiled.template as OrderTemplate<unknown>;
    const parts = explainedParts(template, this.rule, compiled.params, orderInput(this.#source));
    return parts.filter((part) => part.to === this.to).map((part) => part.explanation);
  }
}

/**
 * Each member's amount in a template's parts, in order of first appearance, without
 * explanations. A template pays a handful of members per order: a linear search beats a Map.
 */
class MemberSums implements PartSink {
  readonly explaining = false;
  /** Members summed so far: the first `size` entries of the arrays, which keep their room. */
  size = 0;
  readonly members: string[] = [];
  readonly amounts: Minor[] = [];

  add(to: string, amount: Minor): void {
    for (let i = 0; i < this.size; i++) {
      if (this.members[i] === to) {
        this.amounts[i] = this.amounts[i]! + amount;
        return;
      }
    }
    this.members[this.size] = to;
    this.amounts[this.size] = amount;
    this.size += 1;
  }

  clear(): void {
    this.size = 0;
  }
}

/** One for every order: recomputeOrder never runs within itself, and its arrays are reused. */
const sums = new MemberSums();

/** The award of `to` under `rule` among an order's awards (a loop: no closure per lookup). */
function awardOf(awards: readonly BookedAward[], to: string, rule: string): BookedAward | undefined {
  for (const award of awards) if (award.rule === rule && award.to === to) return award;
  return undefined;
}

/**
 * The member `to` among `seller` and its uplines, or null. Chain members are most of whom an
 * order pays, and through their Member objects the ledger finds their balances without a lookup
 * in a map of every member (a cache miss or two each, several times an order).
 */
function inUpline(seller: Member | null, to: string): Member | null {
  for (let member = seller; member !== null; member = member.parent) if (member.id === to) return member;
  return null;
}

/**
 * (Re)computes every order-template award of `order` on its net lines, with the plan and the
 * network of its payment time, and posts the difference to what was awarded before. At payment
 * that is the award itself; after a refund it is an adjustment (a reversal when negative).
 * `seller`, when given, is where to look for the Member objects of those paid (see inUpline).
 */
export function recomputeOrder(
  state: EngineState, order: PaidOrder, cause: string, refund: string | undefined, work: Work, seller: Member | null = null,
): void {
  const input = orderInput(order);
  // At payment the order has no awards yet: none to find, none left over. (Each template pays a
  // member once, and template ids are unique, so the awards made here are all new.)
  const paying = order.awards.length === 0;
  const untouched = paying ? null : new Set(order.awards);
  made.length = 0;
  for (const compiled of order.plan.templates) {
    if (compiled.template.kind !== 'order') continue;
    sums.clear();
    (compiled.template as OrderTemplate<unknown>).compute(compiled.id, compiled.params, input, sums);
    for (let i = 0; i < sums.size; i++) {
      const to = sums.members[i]!;
      const amount = sums.amounts[i]!;
      let record = paying ? undefined : awardOf(order.awards, to, compiled.id);
      const isNew = record === undefined;
      if (!record) {
        // (A new award of an order that has already settled, made by a refund, is settled too: see status.)
        record = state.awards.add(new OrderAward(to, compiled.id, order));
        if (paying) made.push(record);
        else order.awards.push(record);
      }
      untouched?.delete(record);
      state.awards.setAmount(record, amount, isNew, work.at, cause, refund, work, inUpline(seller, to) ?? undefined);
    }
  }
  // The payment's awards, in an array of exactly their number (an order keeps it for ever).
  if (paying && made.length > 0) order.awards = made.slice();
  // Awards no template pays any more (after a refund) go back to zero.
  for (const record of untouched ?? []) state.awards.setAmount(record, 0n, false, work.at, cause, refund, work);
}

/** The awards a payment makes, gathered before they are copied to the order (reused). */
const made: BookedAward[] = [];
