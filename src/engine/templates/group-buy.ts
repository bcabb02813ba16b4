import { z } from 'zod';
import { applyRate, rateTimes } from '../../money/rate.ts';
import { rate } from '../../schema/primitives.ts';
import { baseKind, lineBase } from './base.ts';
import type { ChainLink, OrderTemplate } from './template.ts';

/** 社区团购: the pickup point (自提点团长) and the distributor who recommended it earn on the order. */
const paramsSchema = z.strictObject({ pickupRate: rate, recommenderRate: rate.default(0n), base: baseKind });
type Params = z.output<typeof paramsSchema>;

export const groupBuy: OrderTemplate<Params> = {
  kind: 'order',
  name: 'group-buy',
  paysChain: false,
  params: () => paramsSchema,
  maxChainPayees: () => 2,
  compute(rule, params, input, out) {
    const pickup = input.pickup;
    if (!pickup) return;
    const payees: [ChainLink | null, bigint, string][] = [
      [pickup.point, params.pickupRate, 'group-buy.pickup'],
      [pickup.parent, params.recommenderRate, 'group-buy.recommender'],
    ];
    for (const line of input.lines) {
      const base = lineBase(line, params.base);
      for (const [link, payeeRate, reason] of payees) {
        if (!link) continue;
        const amount = applyRate(payeeRate, base);
        if (amount === 0n) continue;
        out.add(
          link.id,
          amount,
          !out.explaining
            ? null
            : {
                rule,
                template: 'group-buy',
                to: link.id,
                order: input.order,
                line: line.line,
                base: { kind: params.base, amount: base },
                rate: payeeRate,
                exact: rateTimes(payeeRate, base),
                amount,
                level: link.level,
                reason,
                facts: { pickupPoint: pickup.point.id },
              },
        );
      }
    }
  },
};
