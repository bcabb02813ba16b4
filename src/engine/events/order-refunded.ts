import { fail, type EngineError } from '../../domain/errors.ts';
import type { OrderRefunded } from '../../domain/types.ts';
import { formatMoney } from '../../money/money.ts';
import { asSum } from '../../money/running-sum.ts';
import { fingerprint, repeatVerdict } from '../fingerprint.ts';
import { recomputeOrder } from '../order-awards.ts';
import type { EngineState, OrderRecord } from '../state.ts';
import { markUpline, type Verdict, type Work } from '../work.ts';
import { recordPurchase } from './purchases.ts';

/**
 * A refund recomputes the order's awards on its net lines, with the plan, levels and network of
 * its payment time, and posts the difference (DOMAIN.md, "Settlement and refunds").
 */
export function orderRefunded(state: EngineState, event: OrderRefunded, work: Work): Verdict {
  const print = fingerprint(event);
  const repeated = repeatVerdict(
    state.refunds.get(event.refund),
    print,
    `refund ${event.refund} was already recorded with other content; refund ids are unique per tenant`,
    'refund',
  );
  if (repeated) return repeated;
  const order = state.orders.get(event.order);
  if (!order) return fail('unknown_order', `order ${event.order} was never paid; a refund needs a paid order`, ['order']);
  const problem = checkLines(state, order, event);
  if (problem) return problem;

  const before = order.netPaid;
  for (const refundLine of event.lines) {
    const line = order.lines.find((candidate) => candidate.input.line === refundLine.line)!;
    line.refundedQty += refundLine.qty;
    line.refundedAmount += refundLine.amount;
  }
  order.netPaid = order.lines.reduce((sum, line) => sum + line.input.paid - line.refundedAmount, 0n);
  state.refunds.set(event.refund, { order: order.id, fingerprint: print });
  recomputeOrder(state, order, `refund ${event.refund}`, event.refund, work);

  const seller = order.context.sellerId === null ? undefined : state.network.get(order.context.sellerId);
  if (seller) {
    state.network.addSale(seller, asSum(order.netPaid - before));
    markUpline(work, seller);
  }
  recordPurchase(
    state,
    order.buyer,
    asSum(order.netPaid - before),
    before > 0n && order.netPaid === 0n ? -1 : 0,
    event.lines.map((l) => [order.lines.find((c) => c.input.line === l.line)!.input.sku, -l.qty] as const),
    work,
  );
  return 'applied';
}

function checkLines(state: EngineState, order: OrderRecord, event: OrderRefunded): EngineError | null {
  const decimals = state.settings.decimals;
  for (const [index, refundLine] of event.lines.entries()) {
    const line = order.lines.find((candidate) => candidate.input.line === refundLine.line);
    if (!line) return fail('invalid', `order ${order.id} has no line ${refundLine.line}`, ['lines', index, 'line']);
    const qtyLeft = line.input.qty - line.refundedQty;
    const amountLeft = line.input.paid - line.refundedAmount;
    if (refundLine.qty > qtyLeft || refundLine.amount > amountLeft) {
      return fail(
        'refund_exceeds_paid',
        `line ${refundLine.line} of order ${order.id} has ${qtyLeft} units and ${formatMoney(amountLeft, decimals)} left to refund`,
        ['lines', index],
      );
    }
  }
  return null;
}
