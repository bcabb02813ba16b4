import type { Minor, TenantSettings } from '../domain/types.ts';
import type { AwardAmountChange, AwardRecord, AwardStatus } from './awards.ts';
import type { EngineState, OrderRecord } from './state.ts';
import type { AwardPart, Explanation, NetLine, OrderInput, OrderTemplate } from './templates/template.ts';
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

/**
 * An award of one member under one rule for one order. Its explanations are not kept: they are
 * recomputed when asked, by running its rule again on the order (the same payment-time context,
 * the same net lines), which gives exactly the parts behind the current amount.
 */
class OrderAward implements AwardRecord {
  readonly order: string;
  amount: Minor = 0n;
  changes: readonly AwardAmountChange[] = [];
  readonly #source: OrderRecord;
  readonly #settings: TenantSettings;

  constructor(readonly to: string, readonly rule: string, public status: AwardStatus, source: OrderRecord, settings: TenantSettings) {
    this.order = source.id;
    this.#source = source;
    this.#settings = settings;
  }

  get explanations(): readonly Explanation[] {
    const compiled = this.#source.plan.templates.find((entry) => entry.id === this.rule)!;
    const template = compiled.template as OrderTemplate<unknown>;
    const parts = template.compute(this.rule, compiled.params, orderInput(this.#source, this.#settings));
    return parts.filter((part) => part.to === this.to).map((part) => part.explanation);
  }
}

/** Each member's amount in a template's parts, in order of first appearance. */
function sumByMember(parts: readonly AwardPart[]): Map<string, Minor> {
  const sums = new Map<string, Minor>();
  for (const part of parts) sums.set(part.to, (sums.get(part.to) ?? 0n) + part.amount);
  return sums;
}

/**
 * (Re)computes every order-template award of `order` on its net lines, with the plan and the
 * network of its payment time, and posts the difference to what was awarded before. At payment
 * that is the award itself; after a refund it is an adjustment (a reversal when negative).
 */
export function recomputeOrder(state: EngineState, order: OrderRecord, cause: string, refund: string | undefined, work: Work): void {
  const input = orderInput(order, state.settings);
  const touched = new Set<AwardRecord>();
  for (const compiled of order.plan.templates) {
    if (compiled.template.kind !== 'order') continue;
    const template = compiled.template as OrderTemplate<unknown>;
    for (const [to, amount] of sumByMember(template.compute(compiled.id, compiled.params, input))) {
      let record = order.awards.find((award) => award.to === to && award.rule === compiled.id);
      const isNew = record === undefined;
      if (!record) {
        // A new award of an order that has already settled (created by a refund) is settled too.
        const status = order.settled ? 'settled' : 'pending';
        order.awards.push((record = state.awards.add(new OrderAward(to, compiled.id, status, order, state.settings))));
      }
      touched.add(record);
      state.awards.setAmount(record, amount, isNew, work.at, cause, refund, work);
    }
  }
  for (const record of order.awards) {
    if (!touched.has(record)) state.awards.setAmount(record, 0n, false, work.at, cause, refund, work);
  }
}
