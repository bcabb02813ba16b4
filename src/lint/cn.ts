import { leafKeys } from '../engine/conditions.ts';
import type { Condition, RecruitLeaf } from '../domain/types.ts';
import { formatRate } from '../money/rate.ts';
import type { CompiledPlan, CompiledTemplate } from '../schema/plan.ts';
import type { ComplianceProfile, Finding } from './profile.ts';

/**
 * Profile `cn` (《禁止传销条例》, 直销管理条例): no more than three members of one chain paid
 * for one sale (团队计酬 beyond three levels), no money per recruit (拉人头), no entry fee (入门费).
 */
export const cnProfile: ComplianceProfile = {
  id: 'cn',
  description: 'PRC rules against pyramid selling (传销) for distribution plans',
  rules: {
    'chain-over-3': { severity: 'refuse', summary: 'a sale can pay more than 3 members of one chain (seller included)' },
    'multi-level-over-3': { severity: 'refuse', summary: 'a multi-level template lists more than 3 rates' },
    'team-pay-unbounded': { severity: 'warn', summary: 'a period template pays the whole upline on team sales (团队计酬)' },
    'recruit-reward': { severity: 'refuse', summary: 'money is paid per recruit (拉人头)' },
    'entry-fee': { severity: 'refuse', summary: 'becoming a distributor requires buying an entry package (入门费)' },
    'payout-over-30': { severity: 'warn', summary: 'rates can pay more than 30% of a sale (the direct-selling cap)' },
  },
  check: (plan) => [...chainFindings(plan), ...recruitFindings(plan), ...payoutFindings(plan)],
};

type Draft = Omit<Finding, 'severity'>;

function chainFindings(plan: CompiledPlan): Draft[] {
  const findings: Draft[] = [];
  const chainTemplates: { entry: CompiledTemplate; payees: number }[] = [];
  for (const entry of plan.templates) {
    const template = entry.template;
    const payees = template.maxChainPayees(entry.params as never);
    if (entry.template.name === 'multi-level' && payees !== null && payees > 3) {
      findings.push({
        code: 'multi-level-over-3',
        template: entry.id,
        message: `${entry.id} lists ${payees} rates; the law allows at most 3 levels`,
        messageZh: `${entry.id} 设置了 ${payees} 级分佣比例；法规最多允许 3 级`,
      });
    }
    if (!template.paysChain) continue;
    if (payees === null) {
      findings.push({
        code: 'team-pay-unbounded',
        template: entry.id,
        message: `${entry.id} (${template.name}) pays every upline on the team's sales; keep it to sales of goods and review it as 团队计酬`,
        messageZh: `${entry.id}（${template.name}）按团队业绩向整条上级链路计酬：只可基于真实商品销售，并按团队计酬规定复核`,
      });
      continue;
    }
    chainTemplates.push({ entry, payees });
  }
  const payers = samePayeesOnce(chainTemplates);
  const total = mostPaidInOneChain(payers);
  if (total > 3) {
    const many = payers.filter((p) => p.payees > 1);
    findings.push({
      code: 'chain-over-3',
      template: (many.length > 0 ? many : payers).map((p) => p.id).join('+'),
      message: `one sale can pay up to ${total} members of one chain (${payers.map((p) => `${p.id}: ${p.payees}`).join(', ')}); at most 3, seller included`,
      messageZh: `一笔销售最多可向同一链路上的 ${total} 名成员计酬（${payers.map((p) => `${p.id}: ${p.payees}`).join('，')}）；含销售者本人最多 3 名`,
    });
  }
  return findings;
}

/**
 * The chain templates as payers, those that pay the very same members of any chain counted as
 * one ("a member paid by two templates counts once"): multi-level templates pay fixed positions
 * of the chain (the seller, its parent…), so together they pay the positions any of them has a
 * rate for; differential templates of the same shape (the same levels, their rates in the same
 * order, the same peer bonus) pay the same members whatever their rates.
 */
function samePayeesOnce(templates: readonly { entry: CompiledTemplate; payees: number }[]): ChainPayer[] {
  const payers: ChainPayer[] = [];
  const positions = new Set<number>();
  const multiLevel: string[] = [];
  const differentials = new Map<string, ChainPayer>();
  for (const { entry, payees } of templates) {
    if (entry.template.name === 'multi-level') {
      multiLevel.push(entry.id);
      (entry.params as { rates: bigint[] }).rates.forEach((rate, position) => rate > 0n && positions.add(position));
      continue;
    }
    const payer = chainPayer(entry, payees);
    if (entry.template.name !== 'differential') {
      payers.push(payer);
      continue;
    }
    const shape = differentialShape(entry.params);
    const same = differentials.get(shape);
    differentials.set(shape, same && same.payees >= payer.payees ? { ...same, id: `${same.id}+${payer.id}` } : payer);
  }
  if (multiLevel.length > 0) {
    const above = [...positions].filter((position) => position > 0).length;
    const seller = positions.has(0) ? 'always' : 'never';
    payers.push({ id: multiLevel.join('+'), payees: positions.size, seller, aboveWithSeller: above, aboveWithoutSeller: above });
  }
  return [...payers, ...differentials.values()];
}

/** A differential's params with each rate replaced by its rank among the rates: who it pays, not how much. */
function differentialShape(params: unknown): string {
  const { rates, peer, ...rest } = params as { rates: Record<string, bigint>; peer?: { generations?: number } };
  const distinct = [...new Set(Object.values(rates))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ranks = Object.fromEntries(
    Object.entries(rates)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([level, rate]) => [level, rate > 0n ? distinct.indexOf(rate) : -1]),
  );
  return JSON.stringify({ ranks, peerGenerations: peer?.generations ?? 0, rest }, (_key, value: unknown) =>
    typeof value === 'bigint' ? String(value) : value,
  );
}

/** What a chain template can pay on one sale: the seller or not, and how many members above it. */
interface ChainPayer {
  readonly id: string;
  readonly payees: number;
  readonly seller: 'always' | 'maybe' | 'never';
  /** The most members above the seller it pays when it pays the seller too, and when it does not. */
  readonly aboveWithSeller: number;
  readonly aboveWithoutSeller: number;
}

/** (Multi-level templates are taken together, by the positions they pay: see samePayeesOnce.) */
function chainPayer(entry: CompiledTemplate, payees: number): ChainPayer {
  const id = entry.id;
  switch (entry.template.name) {
    case 'targeted':
      return { id, payees, seller: 'maybe', aboveWithSeller: 0, aboveWithoutSeller: 0 };
    case 'level-price':
      // A member above earns only below the lowest price seen, the seller's first.
      return { id, payees, seller: 'maybe', aboveWithSeller: payees - 1, aboveWithoutSeller: payees - 1 };
    default:
      // Differential (and any other): a seller at a level without a rate earns nothing from it,
      // and then every step of its table can be paid above the seller.
      return { id, payees, seller: 'maybe', aboveWithSeller: payees - 1, aboveWithoutSeller: payees };
  }
}

/**
 * The most members of one chain a sale can pay: some template pays the seller (counted once) and
 * the others pay as many above it as they can; or, when no template must pay the seller, none does
 * and each pays above it what it can then.
 */
function mostPaidInOneChain(payers: readonly ChainPayer[]): number {
  const most = (p: ChainPayer): number =>
    p.seller === 'never'
      ? p.aboveWithoutSeller
      : p.seller === 'always'
        ? p.aboveWithSeller
        : Math.max(p.aboveWithSeller, p.aboveWithoutSeller);
  let best = payers.some((p) => p.seller === 'always') ? 0 : payers.reduce((sum, p) => sum + p.aboveWithoutSeller, 0);
  for (const paying of payers) {
    if (paying.seller === 'never') continue;
    const others = payers.reduce((sum, p) => (p === paying ? sum : sum + most(p)), 0);
    best = Math.max(best, 1 + paying.aboveWithSeller + others);
  }
  return best;
}

function recruitFindings(plan: CompiledPlan): Draft[] {
  const when = plan.plan.recruit?.when;
  if (!when || !leafKeys(when).includes('bought')) return [];
  const entrySkus = boughtSkus(when);
  const findings: Draft[] = [
    {
      code: 'entry-fee',
      // Not a template: the plan's recruiting rule, named as the plan names it.
      template: 'recruit',
      path: ['recruit', 'when'],
      message: `recruiting requires buying ${entrySkus.join(', ')}: an entry package counts as a fee to join`,
      messageZh: `成为分销商须购买 ${entrySkus.join('、')}：入门礼包视同入门费`,
    },
  ];
  for (const entry of plan.templates) {
    if (paysOnSkus(entry, entrySkus)) {
      findings.push({
        code: 'recruit-reward',
        template: entry.id,
        message: `${entry.id} pays on the entry package ${entrySkus.join(', ')}, i.e. money for each recruit`,
        messageZh: `${entry.id} 对入门礼包 ${entrySkus.join('、')} 计酬，即按发展人数计酬（拉人头）`,
      });
    }
  }
  return findings;
}

function boughtSkus(condition: Condition<RecruitLeaf>): string[] {
  if ('any' in condition) return condition.any.flatMap(boughtSkus);
  if ('all' in condition) return condition.all.flatMap(boughtSkus);
  return 'bought' in condition ? [condition.bought.sku] : [];
}

/**
 * Whether a template pays on buying one of `skus` (the entry package): a `when:` condition asking
 * for one, whatever the template (not one leaving them out); a targeted reward listing one, or
 * filtering neither SKUs nor categories (it pays on every SKU, the package too).
 */
function paysOnSkus(entry: CompiledTemplate, skus: readonly string[]): boolean {
  if (entry.condition?.literals.some((literal) => skus.includes(literal))) return true;
  // A condition that leaves every package out (`line.sku != "kit"`) does not pay on one.
  if (entry.condition && skus.every((sku) => entry.condition!.excludes.includes(sku))) return false;
  if (entry.template.name !== 'targeted') return false;
  const params = entry.params as { skus?: string[]; categories?: string[] };
  if (params.skus === undefined) return params.categories === undefined;
  return params.skus.some((sku) => skus.includes(sku));
}

/** The most a sale can pay in rates (per-unit and price templates cannot be judged statically). */
function payoutFindings(plan: CompiledPlan): Draft[] {
  let total = 0n;
  const paying: string[] = [];
  for (const entry of plan.templates) {
    const most = maxRate(entry);
    total += most;
    if (most > 0n) paying.push(`${entry.id}: ${formatRate(most)}`);
  }
  if (total <= 300_000n) return [];
  return [
    {
      code: 'payout-over-30',
      template: plan.templates
        .filter((entry) => maxRate(entry) > 0n)
        .map((entry) => entry.id)
        .join('+'),
      message: `the rates of this plan can add up to ${formatRate(total)} of a sale (${paying.join(', ')}), above the 30% cap`,
      messageZh: `本方案的比例合计最高可达销售额的 ${formatRate(total)}（${paying.join('，')}），超过 30% 的上限`,
    },
  ];
}

function maxRate(entry: CompiledTemplate): bigint {
  const params = entry.params as Record<string, unknown>;
  switch (entry.template.name) {
    case 'multi-level':
      return (params.rates as bigint[]).reduce((a, b) => a + b, 0n);
    case 'differential': {
      const rates = Object.values(params.rates as Record<string, bigint>);
      const top = rates.reduce((a, b) => (a > b ? a : b), 0n);
      const peer = params.peer as { rate: bigint; of: string; generations: number } | undefined;
      const peerRate = peer
        ? (peer.of === 'base' ? peer.rate : (peer.rate * top) / 1_000_000n) * BigInt(peer.generations) * BigInt(rates.length)
        : 0n;
      return top + peerRate;
    }
    case 'group-buy':
      return (params.pickupRate as bigint) + (params.recommenderRate as bigint);
    case 'region':
      return Object.values(params.rates as Record<string, bigint>).reduce((a, b) => a + b, 0n);
    case 'targeted':
      return (params.rate as bigint | undefined) ?? 0n;
    case 'team-tier':
      return (params.tiers as { rate: bigint }[]).reduce((a, t) => (a > t.rate ? a : t.rate), 0n);
    case 'pool':
      return params.share as bigint;
    default:
      return 0n;
  }
}
