import type { Minor, TenantSettings } from '../domain/types.ts';
import type { AwardAmountChange, AwardRecord, AwardStatus } from './awards.ts';
import type { EngineState, OrderRecord } from './state.ts';
import { explainedParts } from './templates/parts.ts';
import type { Explanation, NetLine, OrderInput, OrderTemplate, PartSink } from './templates/template.ts';
import type { Work } from './work.ts';

/** The order's lines net of refunds; the cost is scaled to the net quantity, exactly. */
export function netLines(order: OrderRecord): NetLine[] {
  return order.lines.map(({ input, refundedQty, refundedAmount }) => {
    const qty = input.qty - refundedQty;
    const cost = input.cost ?? 0n;
    return {
      line: input.line,
      sku: input.sku,
      ...(input.category !== undefined ? { category: input.category } : {}),
      qty,
      paid: input.paid - refundedAmount,
      cost: { num: cost * BigInt(qty), den: BigInt(input.qty) },
    };
  });
}

/** What an order's templates compute on: its payment-time context and its net lines. */
function orderInput(order: OrderRecord, settings: TenantSettings): OrderInput {
  const { order: id, paidAt, sellerId, chain, fullChain, pickup, region, regionHolders } = order.context;
  // Field by field: spreading the context costs more than the rest of this function.
  return { settings, order: id, paidAt, lines: netLines(order), sellerId, chain, fullChain, pickup, region, regionHolders };
}

/** The cause of the changes an order's payment makes (`recomputeOrder`). */
export const PAID = 'paid';

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
    return this.amount === 0n ? [] : [{ at: this.#source.paidAt, delta: this.amount, cause: PAID }];
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
  readonly members: string[] = [];
  readonly amounts: Minor[] = [];

  add(to: string, amount: Minor): void {
    const index = this.members.indexOf(to);
    if (index < 0) {
      this.members.push(to);
      this.amounts.push(amount);
    } else {
      this.amounts[index]! += amount;
    }
  }

  clear(): void {
    this.members.length = 0;
    this.amounts.length = 0;
  }
}

/**
 * (Re)computes every order-template award of `order` on its net lines, with the plan and the
 * network of its payment time, and posts the difference to what was awarded before. At payment
 * that is the award itself; after a refund it is an adjustment (a reversal when negative).
 */
export function recomputeOrder(state: EngineState, order: OrderRecord, cause: string, refund: string | undefined, work: Work): void {
  const input = orderInput(order, state.settings);
  // At payment the order has no awards yet, so none can be left over.
  const untouched = order.awards.length > 0 ? new Set(order.awards) : null;
  const sums = new MemberSums();
  for (const compiled of order.plan.templates) {
    if (compiled.template.kind !== 'order') continue;
    sums.clear();
    (compiled.template as OrderTemplate<unknown>).compute(compiled.id, compiled.params, input, sums);
    for (let i = 0; i < sums.members.length; i++) {
      const to = sums.members[i]!;
      const amount = sums.amounts[i]!;
      let record = order.awards.find((award) => award.to === to && award.rule === compiled.id);
      const isNew = record === undefined;
      if (!record) {
        // A new award of an order that has already settled (created by a refund) is settled too.
        const status = order.settled ? 'settled' : 'pending';
        order.awards.push((record = state.awards.add(new OrderAward(to, compiled.id, status, order, state.settings))));
      }
      untouched?.delete(record);
      state.awards.setAmount(record, amount, isNew, work.at, cause, refund, work);
    }
  }
  // Awards no template pays any more (after a refund) go back to zero.
  for (const record of untouched ?? []) state.awards.setAmount(record, 0n, false, work.at, cause, refund, work);
}
