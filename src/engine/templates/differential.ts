import { z } from 'zod';
import { applyPpm, exact, ppmOf, ppmTimesWhole, rateTimes, type Exact } from '../../money/rate.ts';
import { levelKey, rate } from '../../schema/primitives.ts';
import { baseKind, lineBase } from './base.ts';
import { compiledParams } from './compiled.ts';
import { addLinkAmount, wholePaid } from './parts.ts';
import type { AwardPart, ChainLink, NetLine, OrderInput, OrderTemplate, PartSink } from './template.ts';

/** 级差 + 平级奖: each member earns the gap between its level's rate and what was paid below it. */
const paramsSchema = z.strictObject({
  rates: z.record(levelKey, rate),
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
    const ppms = compiledParams(ppmsByParams, params, ratesInPpm);
    // Who the chain pays, and at which rate, does not depend on the line: walked once an order
    // (at its first line in doubles), not once a line, and only as far as anyone can be paid.
    let walked = false;
    for (const line of input.lines) {
      const paid = params.base === 'paid' ? wholePaid(line, out) : Number.NaN;
      if (paid !== paid) {
        walkLine(rule, params, ppms, input, line, out);
        continue;
      }
      if (!walked) walkInDoubles(params, ppms, input.chain);
      walked = true;
      payInDoubles(paid, out);
    }
  },
};

/** The rates by level (the same keys as params.rates) and the peer rate, as numbers of ppm (see compiled.ts). */
interface Ppms {
  readonly byLevel: Readonly<Record<string, number>>;
  readonly peer: number;
  /** The highest rate of any level (0 if none is above 0): no gap is paid above a member at it. */
  readonly top: number;
}

const ppmsByParams = new WeakMap<Params, Ppms>();

function ratesInPpm(params: Params): Ppms {
  const byLevel: Record<string, number> = {};
  let top = 0;
  for (const [level, rate] of Object.entries(params.rates)) top = Math.max(top, (byLevel[level] = ppmOf(rate)));
  return { byLevel, peer: params.peer ? ppmOf(params.peer.rate) : 0, top };
}

/** Walks the chain upward keeping what was paid below (DOMAIN.md, differential). */
function walkLine(rule: string, params: Params, ppms: Ppms, input: OrderInput, line: NetLine, out: PartSink): void {
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

/** How a step of the walk in doubles pays: the gap of rates × paid, the peer rate × the last gap's award, or × paid. */
const GAP = 0;
const PEER_OF_AWARD = 1;
const PEER_OF_BASE = 2;

/**
 * The steps of the last walk in doubles: who is paid, at which rate, how (GAP…), in chain order.
 * Reused from order to order (compute never runs inside itself): no arrays made per order.
 */
const STEPS = { size: 0, to: [] as ChainLink[], ppm: [] as number[], kind: [] as number[] };

/**
 * The walk of walkLine in doubles, without explanations (see parts.ts), as steps for every line
 * of the order: the same members at the same rates. It stops once no one further up can be paid:
 * a member at the top rate was reached and its peer bonuses are all given.
 */
function walkInDoubles(params: Params, ppms: Ppms, chain: readonly ChainLink[]): void {
  const peer = params.peer;
  const generations = peer ? peer.generations : 0;
  const peerKind = peer?.of === 'award' ? PEER_OF_AWARD : PEER_OF_BASE;
  let paidPpm = 0;
  let lastLevel: number | null = null;
  let peers = 0;
  STEPS.size = 0;
  for (let position = 0; position < chain.length; position++) {
    if (paidPpm >= ppms.top && peers >= generations) break;
    const link = chain[position]!;
    const ownPpm = ppms.byLevel[link.level] ?? 0;
    if (ownPpm > paidPpm) {
      addStep(link, ownPpm - paidPpm, GAP);
      paidPpm = ownPpm;
      lastLevel = link.level;
      peers = 0;
    } else if (peer && lastLevel === link.level && peers < generations) {
      addStep(link, ppms.peer, peerKind);
      peers += 1;
    }
  }
}

function addStep(to: ChainLink, ppm: number, kind: number): void {
  STEPS.to[STEPS.size] = to;
  STEPS.ppm[STEPS.size] = ppm;
  STEPS.kind[STEPS.size] = kind;
  STEPS.size += 1;
}

/** Pays one line of `paid` along the steps of walkInDoubles: the amounts walkLine pays, in the same order. */
function payInDoubles(paid: number, out: PartSink): void {
  let lastAward = 0;
  for (let step = 0; step < STEPS.size; step++) {
    const kind = STEPS.kind[step]!;
    // An award is at most its base: it is as safe in doubles as the line's paid amount.
    const amount = ppmTimesWhole(STEPS.ppm[step]!, kind === PEER_OF_AWARD ? lastAward : paid);
    if (kind === GAP) lastAward = amount;
    if (amount !== 0) addLinkAmount(out, STEPS.to[step]!, amount);
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
