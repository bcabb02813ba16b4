import { z } from 'zod';
import { exact } from '../../money/rate.ts';
import { levelKey, money } from '../../schema/primitives.ts';
import type { ChainLink, NetLine, OrderInput, OrderTemplate, PartSink, SchemaContext } from './template.ts';

/**
 * 拿货价 (micro-business): every level buys at its own unit price. The seller keeps the margin
 * over its price; each upline whose price is below the lowest seen so far earns the difference.
 */
const paramsSchema = (context: SchemaContext) =>
  z.strictObject({
    prices: z
      .record(levelKey, money(context.decimals))
      .refine((prices) => Object.keys(prices).length > 0, 'give the unit price of at least one level'),
  });
type Params = z.output<ReturnType<typeof paramsSchema>>;

/** A level without a price uses the highest listed level below it, else the lowest listed level. */
export function priceOf(prices: Params['prices'], level: number): bigint {
  const listed = Object.keys(prices)
    .map(Number)
    .sort((a, b) => a - b);
  const below = listed.filter((listedLevel) => listedLevel <= level);
  const chosen = below.length > 0 ? below[below.length - 1]! : listed[0]!;
  return prices[String(chosen)]!;
}

export const levelPrice: OrderTemplate<Params> = {
  kind: 'order',
  name: 'level-price',
  paysChain: true,
  params: paramsSchema,
  maxChainPayees: (params) => new Set(Object.values(params.prices)).size,
  maxUnitAmount: (params) => Object.values(params.prices).reduce((max, price) => (price > max ? price : max), 0n),
  compute(rule, params, input, out) {
    for (const line of input.lines) priceLine(rule, params, input, line, out);
  },
};

function priceLine(rule: string, params: Params, input: OrderInput, line: NetLine, out: PartSink): void {
  const seller = input.chain[0];
  if (!seller) return;
  const qty = BigInt(line.qty);
  let lowest = priceOf(params.prices, seller.level);
  const margin = line.paid - qty * lowest;
  push(out, rule, input, line, seller, 0, margin > 0n ? margin : 0n, lowest, 'level-price.margin', {
    paid: line.paid.toString(),
  });
  input.chain.forEach((link, position) => {
    if (position === 0) return;
    const price = priceOf(params.prices, link.level);
    if (price >= lowest) return;
    push(out, rule, input, line, link, position, qty * (lowest - price), price, 'level-price.gap', {
      lowestBelow: lowest.toString(),
    });
    lowest = price;
  });
}

function push(
  out: PartSink,
  rule: string,
  input: OrderInput,
  line: NetLine,
  link: ChainLink,
  position: number,
  amount: bigint,
  unitPrice: bigint,
  reason: string,
  facts: Record<string, string>,
): void {
  if (amount === 0n) return;
  out.add(
    link.id,
    amount,
    !out.explaining
      ? null
      : {
          rule,
          template: 'level-price',
          to: link.id,
          order: input.order,
          line: line.line,
          unitPrice,
          qty: line.qty,
          exact: exact(amount),
          amount,
          position,
          level: link.level,
          reason,
          facts,
        },
  );
}
