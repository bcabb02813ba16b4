import { fail, type EngineError } from '../../domain/errors.ts';
import type { OrderRefunded } from '../../domain/types.ts';
import { formatMoney } from '../../money/money.ts';
import { asSum } from '../../money/running-sum.ts';
import { repeatOfKept } from '../fingerprint.ts';
import { recomputeOrder } from '../order-awards.ts';
import type { EngineState, OrderLineState } from '../state.ts';
import { markUpline, type Verdict, type Work } from '../work.ts';
import { recordPurchase } from './purchases.ts';

/**
 * A refund recomputes the order's awards on its net lines, with the plan, levels and network of
 * its payment time, and posts the difference (DOMAIN.md, "Settlement and refunds").
 */
/** The verdict on a refund id already recorded (duplicate or conflict), or null for a new one. */
export function orderRefundedRepeat(state: EngineState, event: OrderRefunded): 'duplicate' | EngineError | null {
  const known = state.refunds.get(event.refund);
  if (known === undefined) return null;
  const conflict = `refund ${event.refund} was already recorded with other content; refund ids are unique per tenant`;
  return repeatOfKept(known, event, conflict, 'refund');
}

export function orderRefunded(state: EngineState, event: OrderRefunded, work: Work): Verdict {
  const repeat = orderRefundedRepeat(state, event);
  if (repeat) return repeat;
  const order = state.orders.get(event.order);
  if (!order) return fail('unknown_order', `order ${event.order} was never paid; a refund needs a paid order`, ['order']);
  // Read once: each read of an order's lines looks its refund state up (OrderBook.lines).
  const lines = order.lines;
  const problem = checkLines(order.id, lines, event, state.settings.decimals);
  if (problem) return problem;

  const before = order.netPaid;
  for (const refundLine of event.lines) {
    const line = lineNumbered(lines, refundLine.line)!;
    line.refundedQty += refundLine.qty;
    line.refundedAmount += refundLine.amount;
  }
  order.netPaid = lines.reduce((sum, line) => sum + line.input.paid - line.refundedAmount, 0n);
  state.refunds.set(event.refund, event);
  recomputeOrder(state, order, `refund ${event.refund}`, event.refund, work);

  // Read once: each read makes a BigInt of the order book's number.
  const after = order.netPaid;
  const change = asSum(after - before);
  const seller = order.context.sellerId === null ? undefined : state.network.get(order.context.sellerId);
  if (seller) {
    state.network.addSale(seller, change);
    markUpline(work, seller);
  }
  recordPurchase(
    state,
    order.buyer,
    change,
    before > 0n && after === 0n ? -1 : 0,
    event.lines.map((l) => [lineNumbered(lines, l.line)!.input.sku, -l.qty] as const),
    work,
  );
  return 'applied';
}

function checkLines(
  orderId: string,
  lines: readonly OrderLineState[],
  event: OrderRefunded,
  decimals: number,
): EngineError | null {
  // Every line is looked up before any is checked against what is left: a line the order lacks
  // is `invalid` (shape) before another line's excess (a rule), whatever order they are listed in.
  const found: OrderLineState[] = [];
  for (let index = 0; index < event.lines.length; index++) {
    const number = event.lines[index]!.line;
    const line = lineNumbered(lines, number);
    if (!line) return fail('invalid', `order ${orderId} has no line ${number}`, ['lines', index, 'line']);
    found.push(line);
  }
  for (let index = 0; index < event.lines.length; index++) {
    const refundLine = event.lines[index]!;
    const line = found[index]!;
    const qtyLeft = line.input.qty - line.refundedQty;
    const amountLeft = line.input.paid - line.refundedAmount;
    if (refundLine.qty > qtyLeft || refundLine.amount > amountLeft) {
      return fail(
        'refund_exceeds_paid',
        `line ${refundLine.line} of order ${orderId} has ${qtyLeft} units and ${formatMoney(amountLeft, decimals)} left to refund`,
        ['lines', index],
      );
    }
  }
  return null;
}

function lineNumbered(lines: readonly OrderLineState[], number: number): OrderLineState | undefined {
  for (const line of lines) if (line.input.line === number) return line;
  return undefined;
}
