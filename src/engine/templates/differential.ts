import { z } from 'zod';
import { applyRate, exact, rateTimes, type Exact, type RatePpm } from '../../money/rate.ts';
import { rate } from '../../schema/primitives.ts';
import { baseKind, lineBase } from './base.ts';
import type { AwardPart, ChainLink, NetLine, OrderInput, OrderTemplate, PartSink } from './template.ts';

/** 级差 + 平级奖: each member earns the gap between its level's rate and what was paid below it. */
const paramsSchema = z.strictObject({
  rates: z.record(z.string().regex(/^\d+$/, 'level keys are whole numbers'), rate),
  peer: z
    .strictObject({
      rate,
      of: z.enum(['award', 'base']).default('award'),
      generations: z.coerce.number().int().min(1).max(10).default(1),
    })
    .optional(),
  base: baseKind,
});
type Params = z.output<typeof paramsSchema>;

export const differential: OrderTemplate<Params> = {
  kind: 'order',
  name: 'differential',
  paysChain: true,
  params: () => paramsSchema,
  maxChainPayees(params) {
    const steps = new Set(Object.values(params.rates).filter((r) => r > 0n)).size;
    return steps * (1 + (params.peer?.generations ?? 0));
  },
  compute(rule, params, input, out) {
    for (const line of input.lines) walkLine(rule, params, input, line, out);
  },
};

/** Walks the chain upward keeping what was paid below (DOMAIN.md, differential). */
function walkLine(rule: string, params: Params, input: OrderInput, line: NetLine, out: PartSink): void {
  const base = lineBase(line, params.base);
  const peer = params.peer;
  let paidRate: RatePpm = 0n;
  let lastLevel: number | null = null;
  let lastAward = 0n;
  let peers = 0;
  for (let position = 0; position < input.chain.length; position++) {
    const link = input.chain[position]!;
    // A number key reads the same property as its string ("2"), without making the string.
    const ownRate = params.rates[link.level] ?? 0n;
    if (ownRate > paidRate) {
      const gap = ownRate - paidRate;
      const amount = applyRate(gap, base);
      if (amount !== 0n) {
        out.add(link.id, amount, !out.explaining ? null : explain(rule, input, line, link, position, amount, {
          base: { kind: params.base, amount: base }, rate: gap, exact: rateTimes(gap, base),
          reason: 'differential.gap', facts: { ownRate: String(ownRate), paidBelow: String(paidRate) },
        }));
      }
      paidRate = ownRate;
      lastLevel = link.level;
      lastAward = amount;
      peers = 0;
    } else if (peer && lastLevel === link.level && peers < peer.generations) {
      const peerBase: Exact = peer.of === 'award' ? exact(lastAward) : base;
      const amount = applyRate(peer.rate, peerBase);
      peers += 1;
      if (amount !== 0n) {
        out.add(link.id, amount, !out.explaining ? null : explain(rule, input, line, link, position, amount, {
          base: { kind: peer.of === 'award' ? 'award' : params.base, amount: peerBase }, rate: peer.rate,
          exact: rateTimes(peer.rate, peerBase), reason: peer.of === 'award' ? 'differential.peer-of-award' : 'differential.peer-of-base',
          facts: { generation: peers },
        }));
      }
    }
  }
}

function explain(
  rule: string, input: OrderInput, line: NetLine, link: ChainLink, position: number,
  amount: bigint, detail: Pick<AwardPart['explanation'], 'base' | 'rate' | 'exact' | 'reason' | 'facts'>,
): AwardPart['explanation'] {
  return {
    rule, template: 'differential', to: link.id, order: input.order, line: line.line,
    amount, position, level: link.level,
    base: detail.base, rate: detail.rate, exact: detail.exact, reason: detail.reason, facts: detail.facts,
  };
}
