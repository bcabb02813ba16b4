import { fail, type EngineError } from '../../domain/errors.ts';
import type { OrderRefunded } from '../../domain/types.ts';
import { formatMoney } from '../../money/money.ts';
import { asSum } from '../../money/running-sum.ts';
import { fingerprint, repeatVerdict } from '../fingerprint.ts';
import { recomputeOrder } from '../order-awards.ts';
import type { EngineState, OrderLineState } from '../state.ts';
import { markUpline, type Verdict, type Work } from '../work.ts';
import { recordPurchase } from './purchases.ts';

/**
 * A refund recomputes the order's awards on its net lines, with the plan, levels and network of
 * its payment time, and posts the difference (DOMAIN.md, "Settlement and refunds").
 */
export function orderRefunded(state: EngineState, event: OrderRefunded, work: Work): Verdict {
  const print = refundFingerprint(event);
  const repeated = repeatVerdict(
    state.refunds.get(event.refund),
    print,
    `refund ${event.refund} was already recorded with other content; refund ids are unique per tenant`,
    'refund',
  );
  if (repeated) return repeated;
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
  state.refunds.set(event.refund, { order: order.id, fingerprint: print });
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
  for (let index = 0; index < event.lines.length; index++) {
    const refundLine = event.lines[index]!;
    const line = lineNumbered(lines, refundLine.line);
    if (!line) return fail('invalid', `order ${orderId} has no line ${refundLine.line}`, ['lines', index, 'line']);
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

const REFUND_KEYS: readonly string[] = ['at', 'lines', 'order', 'refund', 'type'];
const REFUND_LINE_KEYS: readonly string[] = ['amount', 'line', 'qty'];

/**
 * The refund's fingerprint (fingerprint.ts), written directly for a refund of the usual shape:
 * the general walk sorted the keys of every object in it, and a year of a shop has 100,000
 * refunds (a tenth of a refund's time, and a few KB of garbage each). The text is the one the
 * general walk writes (keys in sorted order, money as `"…n"`, the rest as JSON); any other shape
 * (another field, a field of another type) takes the general walk.
 */
export function refundFingerprint(event: OrderRefunded): string {
  if (!isPlainRefund(event)) return fingerprint(event);
  let lines = '';
  for (const [index, line] of event.lines.entries()) {
    lines += `${index > 0 ? ',' : ''}{"amount":"${line.amount}n","line":${JSON.stringify(line.line)},"qty":${JSON.stringify(line.qty)}}`;
  }
  const { at, order, refund, type } = event;
  return `{"at":${JSON.stringify(at)},"lines":[${lines}],"order":${JSON.stringify(order)},"refund":${JSON.stringify(refund)},"type":${JSON.stringify(type)}}`;
}

/** Whether the refund has the usual fields, each of the usual type, and lines of the usual shape (no hole among them). */
function isPlainRefund(event: OrderRefunded): boolean {
  if (!hasExactly(event, REFUND_KEYS) || typeof event.at !== 'number' || typeof event.type !== 'string') return false;
  if (typeof event.order !== 'string' || typeof event.refund !== 'string' || !Array.isArray(event.lines)) return false;
  for (let index = 0; index < event.lines.length; index++) if (!isPlainRefundLine(event.lines[index])) return false;
  return true;
}

function isPlainRefundLine(line: unknown): line is OrderRefunded['lines'][number] {
  if (typeof line !== 'object' || line === null || Array.isArray(line) || !hasExactly(line, REFUND_LINE_KEYS)) return false;
  const { amount, line: number, qty } = line as Record<string, unknown>;
  return typeof amount === 'bigint' && typeof number === 'number' && typeof qty === 'number';
}

/** Whether `object` has exactly these own keys (any order) and no `toJSON` (which the general walk honours). */
function hasExactly(object: object, keys: readonly string[]): boolean {
  if ('toJSON' in object) return false;
  const own = Object.keys(object);
  return own.length === keys.length && own.every((key) => keys.includes(key));
}
