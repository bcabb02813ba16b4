import { z } from 'zod';
import { applyRate, exact, ppmOf, ppmTimesWhole, rateTimes } from '../../money/rate.ts';
import { category, id, instant, money, rate } from '../../schema/primitives.ts';
import { baseKind, lineBase } from './base.ts';
import { compiledParams } from './compiled.ts';
import { addLinkAmount, wholePaid } from './parts.ts';
import type { AwardPart, NetLine, OrderInput, OrderTemplate, SchemaContext } from './template.ts';

/** 定向奖励: a campaign that pays the seller on matching lines of orders paid in [from, to). */
const paramsSchema = (context: SchemaContext) =>
  z
    .strictObject({
      from: instant(context.timezone),
      to: instant(context.timezone),
      skus: z.array(id).optional(),
      categories: z.array(category).optional(),
      members: z.array(id).optional(),
      teamsOf: z.array(id).optional(),
      perUnit: money(context.decimals).optional(),
      rate: rate.optional(),
      base: baseKind,
    })
    .refine((params) => (params.perUnit === undefined) !== (params.rate === undefined), {
      message: 'give exactly one of perUnit or rate',
      path: ['rate'],
    })
    .refine((params) => params.from < params.to, { message: '`from` must be before `to`', path: ['to'] });
type Params = z.output<ReturnType<typeof paramsSchema>>;

export const targeted: OrderTemplate<Params> = {
  kind: 'order',
  name: 'targeted',
  paysChain: true,
  params: paramsSchema,
  maxChainPayees: () => 1,
  maxUnitAmount: (params) => params.perUnit ?? 0n,
  compute(rule, params, input, out) {
    const seller = input.chain[0];
    if (!seller || input.paidAt < params.from || input.paidAt >= params.to) return;
    if (params.members && !setOf(params.members).has(seller.id)) return;
    if (params.teamsOf) {
      const teamsOf = setOf(params.teamsOf);
      if (!input.fullChain.some((link) => teamsOf.has(link.id))) return;
    }
    const skus = params.skus ? setOf(params.skus) : null;
    const categories = params.categories ? setOf(params.categories) : null;
    for (const line of input.lines) {
      if (!lineMatches(skus, categories, line)) continue;
      const paid = params.rate !== undefined && params.base === 'paid' ? wholePaid(line, out) : Number.NaN;
      if (paid === paid) {
        // In doubles (see parts.ts): the same amount, without an explanation.
        const amount = ppmTimesWhole(compiledParams(ppmByParams, params, rateInPpm), paid);
        if (amount !== 0) addLinkAmount(out, seller, amount);
        continue;
      }
      const amount = amountOf(params, line);
      if (amount === 0n) continue;
      out.add(seller.id, amount, out.explaining ? explain(rule, params, input, line, seller.level, amount) : null);
    }
  },
};

function lineMatches(skus: ReadonlySet<string> | null, categories: ReadonlySet<string> | null, line: NetLine): boolean {
  if (skus && !skus.has(line.sku)) return false;
  if (categories && (line.category === undefined || !categories.has(line.category))) return false;
  return true;
}

/** The rate as a number of ppm, per params (see compiled.ts). */
const ppmByParams = new WeakMap<Params, number>();
const rateInPpm = (params: Params): number => ppmOf(params.rate ?? 0n);

/** A filter list as a Set, made once per plan: a campaign may list hundreds of SKUs or members. */
const filterSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function setOf(list: readonly string[]): ReadonlySet<string> {
  let set = filterSets.get(list);
  if (!set) filterSets.set(list, (set = new Set(list)));
  return set;
}

/** `perUnit × qty`, or `rate × base` rounded. */
function amountOf(params: Params, line: NetLine): bigint {
  return params.perUnit !== undefined ? params.perUnit * BigInt(line.qty) : applyRate(params.rate!, lineBase(line, params.base));
}

function explain(
  rule: string,
  params: Params,
  input: OrderInput,
  line: NetLine,
  level: number,
  amount: bigint,
): AwardPart['explanation'] {
  const to = input.chain[0]!.id;
  if (params.perUnit !== undefined) {
    return {
      rule,
      template: 'targeted',
      to,
      order: input.order,
      line: line.line,
      position: 0,
      unitPrice: params.perUnit,
      qty: line.qty,
      exact: exact(amount),
      amount,
      reason: 'targeted.per-unit',
      level,
    };
  }
  const base = lineBase(line, params.base);
  return {
    rule,
    template: 'targeted',
    to,
    order: input.order,
    line: line.line,
    position: 0,
    base: { kind: params.base, amount: base },
    rate: params.rate!,
    exact: rateTimes(params.rate!, base),
    amount,
    reason: 'targeted.rate',
    level,
  };
}
