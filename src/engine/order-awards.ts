import { awardKey, groupParts } from './awards.ts';
import type { EngineState, OrderRecord } from './state.ts';
import type { AwardPart, NetLine, OrderTemplate } from './templates/template.ts';
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

/**
 * (Re)computes every order-template award of `order` on its net lines, with the plan and the
 * network of its payment time, and posts the difference to what was awarded before. At payment
 * that is the award itself; after a refund it is an adjustment (a reversal when negative).
 */
export function recomputeOrder(state: EngineState, order: OrderRecord, cause: string, refund: string | undefined, work: Work): void {
  const input = { ...order.context, settings: state.settings, lines: netLines(order) };
  const seen = new Set<string>();
  for (const compiled of order.plan.templates) {
    if (compiled.template.kind !== 'order') continue;
    const template = compiled.template as OrderTemplate<unknown>;
    const parts: AwardPart[] = template.compute(compiled.id, compiled.params, input);
    for (const [, { amount, explanations }] of groupParts(parts, compiled.id)) {
      const to = explanations[0]!.to;
      const key = awardKey(to, `order:${order.id}`, compiled.id);
      seen.add(key);
      const existed = state.awards.get(key);
      const record = state.awards.setAmount(
        key, { to, order: order.id, rule: compiled.id }, amount, explanations, work.at, cause, refund, work,
        order.settled ? 'settled' : 'pending',
      );
      if (!existed) order.awards.push(record);
    }
  }
  for (const record of order.awards) {
    const key = awardKey(record.to, `order:${order.id}`, record.rule);
    if (!seen.has(key)) state.awards.setAmount(key, record, 0n, [], work.at, cause, refund, work);
  }
}
