import type { Minor, OrderLineInput, TenantSettings } from '../domain/types.ts';
import { exact, type Exact } from '../money/rate.ts';
import type { AwardAmountChange, AwardRecord, AwardStatus } from './awards.ts';
import type { Member } from './network.ts';
import type { EngineState, OrderLineState, OrderRecord } from './state.ts';
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

  constructor({ input, refundedQty, refundedAmount }: OrderLineState) {
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

/** The order's lines net of refunds. */
export function netLines(order: OrderRecord): NetLine[] {
  return order.lines.map((line) => new OrderNetLine(line));
}

/** What an order's templates compute on: its payment-time context and its net lines. */
function orderInput(order: OrderRecord, settings: TenantSettings): OrderInput {
  const { order: id, paidAt, sellerId, chain, fullChain, pickup, region, regionHolders } = order.context;
  // Field by field: spreading the context costs more than the rest of this function.
  return { settings, order: id, paidAt, lines: netLines(order), sellerId, chain, fullChain, pickup, region, regionHolders };
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
class OrderAward implements AwardRecord {
  amount: Minor = 0n;
  readonly #source: OrderRecord;
  readonly #settings: TenantSettings;
  /** Every change of the amount, or null while the only one is the award made at payment. */
  #changes: readonly AwardAmountChange[] | null = null;

  constructor(readonly to: string, readonly rule: string, public status: AwardStatus, source: OrderRecord, settings: TenantSettings) {
    this.#source = source;
    this.#settings = settings;
  }

  get order(): string {
    return this.#source.id;
  }

  get changes(): readonly AwardAmountChange[] {
    if (this.#changes !== null) return this.#changes;
    return this.amount === 0n ? NO_CHANGES : [{ at: this.#source.paidAt, delta: this.amount, cause: PAID }];
  }

  /** AwardBook sets the amount, then the changes: one change that is the payment's is not kept. */
  set changes(changes: readonly AwardAmountChange[]) {
    const only = changes.length === 1 ? changes[0]! : undefined;
    const atPayment = only !== undefined && only.cause === PAID && only.at === this.#source.paidAt && only.delta === this.amount;
    this.#changes = atPayment ? null : changes;
  }

  get explanations(): readonly Explanation[] {
    const compiled = this.#source.plan.templates.find((entry) => entry.id === this.rule)!;
    const template = compiled.template as OrderTemplate<unknown>;
    const parts = explainedParts(template, this.rule, compiled.params, orderInput(this.#source, this.#settings));
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
function awardOf(awards: readonly AwardRecord[], to: string, rule: string): AwardRecord | undefined {
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
  state: EngineState, order: OrderRecord, cause: string, refund: string | undefined, work: Work, seller: Member | null = null,
): void {
  const input = orderInput(order, state.settings);
  // At payment the order has no awards yet: none to find, none left over. (Each template pays a
  // member once, and template ids are unique, so the awards made here are all new.)
  const untouched = order.awards.length > 0 ? new Set(order.awards) : null;
  for (const compiled of order.plan.templates) {
    if (compiled.template.kind !== 'order') continue;
    sums.clear();
    (compiled.template as OrderTemplate<unknown>).compute(compiled.id, compiled.params, input, sums);
    for (let i = 0; i < sums.size; i++) {
      const to = sums.members[i]!;
      const amount = sums.amounts[i]!;
      let record = untouched === null ? undefined : awardOf(order.awards, to, compiled.id);
      const isNew = record === undefined;
      if (!record) {
        // A new award of an order that has already settled (created by a refund) is settled too.
        const status = order.settled ? 'settled' : 'pending';
        order.awards.push((record = state.awards.add(new OrderAward(to, compiled.id, status, order, state.settings))));
      }
      untouched?.delete(record);
      state.awards.setAmount(record, amount, isNew, work.at, cause, refund, work, inUpline(seller, to) ?? undefined);
    }
  }
  // Awards no template pays any more (after a refund) go back to zero.
  for (const record of untouched ?? []) state.awards.setAmount(record, 0n, false, work.at, cause, refund, work);
}
