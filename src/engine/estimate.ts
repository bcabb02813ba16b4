import { fail, type EngineError } from '../domain/errors.ts';
import type { InstantMs, Minor } from '../domain/types.ts';
import { groupParts } from './awards.ts';
import type { Engine } from './engine.ts';
import { previewSeller } from './events/binding.ts';
import { paymentContext } from './events/order-paid.ts';
import { lineOverLimit } from './line-limit.ts';
import { planAt } from './state.ts';
import { explainedParts } from './templates/parts.ts';
import type { Explanation, NetLine, OrderTemplate } from './templates/template.ts';

export interface EstimateRequest {
  readonly at: InstantMs;
  /** The buyer (a member id, or an id the network does not know yet). */
  readonly buyer?: string;
  /** The distributor whose share link is used. */
  readonly referrer?: string;
  readonly pickupPoint?: string;
  readonly region?: string;
  readonly lines: readonly { sku: string; category?: string; qty: number; paid: Minor; cost?: Minor }[];
}

export interface EstimatedAward {
  readonly to: string;
  readonly rule: string;
  readonly amount: Minor;
  readonly explanations: readonly Explanation[];
}

/**
 * 预估佣金: what each member would earn if this order were paid now. It runs the very code an
 * order.paid runs (binding decision, chain, compression, templates) without changing anything,
 * so it equals the real award when nothing changes in between.
 */
export function estimate(engine: Engine, request: EstimateRequest): EstimatedAward[] | EngineError {
  const state = engine.state;
  const referrer = request.referrer === undefined ? null : state.network.get(request.referrer);
  if (referrer === undefined) return fail('unknown_member', `referrer ${request.referrer} is not a member`, ['referrer']);
  if (referrer && !referrer.isDistributor) return fail('invalid', `referrer ${referrer.id} is a customer`, ['referrer']);
  const pickup = request.pickupPoint === undefined ? null : state.network.get(request.pickupPoint);
  if (pickup === undefined) return fail('unknown_member', `pickup point ${request.pickupPoint} is not a member`, ['pickupPoint']);
  if (pickup && !pickup.isDistributor) return fail('invalid', `pickup point ${pickup.id} is a customer`, ['pickupPoint']);
  if (request.buyer === undefined && !referrer) return fail('invalid', 'give a buyer or a referrer', ['buyer']);

  const plan = planAt(state, request.at);
  const overLimit = lineOverLimit(request.lines, plan, state.settings.decimals);
  if (overLimit) return overLimit;
  const seller = previewSeller(state, request.buyer ?? `\u0000estimate`, referrer, plan, request.at);
  const context = paymentContext(state, { order: '(estimate)', at: request.at, region: request.region }, seller, pickup, plan);
  const lines: NetLine[] = request.lines.map((line, index) => ({
    line: index + 1,
    sku: line.sku,
    ...(line.category ? { category: line.category } : {}),
    qty: line.qty,
    paid: line.paid,
    cost: { num: line.cost ?? 0n, den: 1n },
  }));
  const input = { ...context, settings: state.settings, lines };
  const result: EstimatedAward[] = [];
  for (const compiled of plan.templates) {
    if (compiled.template.kind !== 'order') continue;
    const parts = explainedParts(compiled.template as OrderTemplate<unknown>, compiled.id, compiled.params, input);
    for (const [to, { amount, parts: memberParts }] of groupParts(parts)) {
      result.push({ to, rule: compiled.id, amount, explanations: memberParts.map((part) => part.explanation) });
    }
  }
  return result;
}
