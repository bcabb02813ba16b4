import { z } from 'zod';
import { applyPpm, exact, ppmOf, ppmTimesWhole, rateTimes, type Exact } from '../../money/rate.ts';
import { rate } from '../../schema/primitives.ts';
import { baseKind, lineBase } from './base.ts';
import { compiledParams } from './compiled.ts';
import { addAmount, wholePaid } from './parts.ts';
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

/** The rates by level (the same keys as params.rates) and the peer rate, as numbers of ppm (see compiled.ts). */
interface Ppms {
  readonly byLevel: Readonly<Record<string, number>>;
  readonly peer: number;
}

const ppmsByParams = new WeakMap<Params, Ppms>();

function ratesInPpm(params: Params): Ppms {
  const byLevel: Record<string, number> = {};
  for (const [level, rate] of Object.entries(params.rates)) byLevel[level] = ppmOf(rate);
  return { byLevel, peer: params.peer ? ppmOf(params.peer.rate) : 0 };
}

/** Walks the chain upward keeping what was paid below (DOMAIN.md, differential). */
function walkLine(rule: string, params: Params, input: OrderInput, line: NetLine, out: PartSink): void {
  const ppms = compiledParams(ppmsByParams, params, ratesInPpm);
  const paid = params.base === 'paid' ? wholePaid(line, out) : Number.NaN;
  if (paid === paid) return walkLineInDoubles(params, ppms, input, paid, out);
  const base = lineBase(line, params.base);
  const peer = params.peer;
  let paidPpm = 0;
  let lastLevel: number | null = null;
  let lastAward = 0n;
  let peers = 0;
  for (let position = 0; position < input.chain.length; position++) {
    const link = input.chain[position]!;
    // A number key reads the same property as its string ("2"), without making the string.
    const ownPpm = ppms.byLevel[link.level] ?? 0;
    if (ownPpm > paidPpm) {
      const gap = ownPpm - paidPpm;
      const amount = applyPpm(gap, base);
      if (amount !== 0n) {
        out.add(
          link.id,
          amount,
          !out.explaining
            ? null
            : explain(rule, input, line, link, position, amount, {
                base: { kind: params.base, amount: base },
                rate: BigInt(gap),
                exact: rateTimes(BigInt(gap), base),
                reason: 'differential.gap',
                facts: { ownRate: String(ownPpm), paidBelow: String(paidPpm) },
              }),
        );
      }
      paidPpm = ownPpm;
      lastLevel = link.level;
      lastAward = amount;
      peers = 0;
    } else if (peer && lastLevel === link.level && peers < peer.generations) {
      const peerBase: Exact = peer.of === 'award' ? exact(lastAward) : base;
      const amount = applyPpm(ppms.peer, peerBase);
      peers += 1;
      if (amount !== 0n) {
        out.add(
          link.id,
          amount,
          !out.explaining
            ? null
            : explain(rule, input, line, link, position, amount, {
                base: { kind: peer.of === 'award' ? 'award' : params.base, amount: peerBase },
                rate: peer.rate,
                exact: rateTimes(peer.rate, peerBase),
                reason: peer.of === 'award' ? 'differential.peer-of-award' : 'differential.peer-of-base',
                facts: { generation: peers },
              }),
        );
      }
    }
  }
}

/** The same walk in doubles, without explanations (see parts.ts): the same amounts. */
function walkLineInDoubles(params: Params, ppms: Ppms, input: OrderInput, paid: number, out: PartSink): void {
  const peer = params.peer;
  let paidPpm = 0;
  let lastLevel: number | null = null;
  let lastAward = 0;
  let peers = 0;
  for (let position = 0; position < input.chain.length; position++) {
    const link = input.chain[position]!;
    const ownPpm = ppms.byLevel[link.level] ?? 0;
    if (ownPpm > paidPpm) {
      const amount = ppmTimesWhole(ownPpm - paidPpm, paid);
      if (amount !== 0) addAmount(out, link.id, amount);
      paidPpm = ownPpm;
      lastLevel = link.level;
      lastAward = amount;
      peers = 0;
    } else if (peer && lastLevel === link.level && peers < peer.generations) {
      // An award is at most its base: it is as safe in doubles as the line's paid amount.
      const amount = ppmTimesWhole(ppms.peer, peer.of === 'award' ? lastAward : paid);
      peers += 1;
      if (amount !== 0) addAmount(out, link.id, amount);
    }
  }
}

function explain(
  rule: string,
  input: OrderInput,
  line: NetLine,
  link: ChainLink,
  position: number,
  amount: bigint,
  detail: Pick<AwardPart['explanation'], 'base' | 'rate' | 'exact' | 'reason' | 'facts'>,
): AwardPart['explanation'] {
  return {
    rule,
    template: 'differential',
    to: link.id,
    order: input.order,
    line: line.line,
    amount,
    position,
    level: link.level,
    base: detail.base,
    rate: detail.rate,
    exact: detail.exact,
    reason: detail.reason,
    facts: detail.facts,
  };
}
