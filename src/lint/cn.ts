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
  const payers: ChainPayer[] = [];
  for (const entry of plan.templates) {
    const template = entry.template;
    const payees = template.maxChainPayees(entry.params as never);
    if (entry.template.name === 'multi-level' && payees !== null && payees > 3) {
      findings.push({
        code: 'multi-level-over-3',
        template: entry.id,
        message: `${entry.id} lists ${payees} rates; the law allows at most 3 levels`,
      });
    }
    if (!template.paysChain) continue;
    if (payees === null) {
      findings.push({
        code: 'team-pay-unbounded',
        template: entry.id,
        message: `${entry.id} (${template.name}) pays every upline on the team's sales; keep it to sales of goods and review it as 团队计酬`,
      });
      continue;
    }
    payers.push(chainPayer(entry, payees));
  }
  const total = mostPaidInOneChain(payers);
  if (total > 3) {
    findings.push({
      code: 'chain-over-3',
      template: payers
        .filter((p) => p.payees > 1 || payers.length === 1)
        .map((p) => p.id)
        .join('+'),
      message: `one sale can pay up to ${total} members of one chain (${payers.map((p) => `${p.id}: ${p.payees}`).join(', ')}); at most 3, seller included`,
    });
  }
  return findings;
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

function chainPayer(entry: CompiledTemplate, payees: number): ChainPayer {
  const id = entry.id;
  switch (entry.template.name) {
    case 'multi-level': {
      // chain[0] is the seller: a first rate above zero always pays it, the rates after pay above it.
      const paysSeller = (entry.params as { rates: bigint[] }).rates[0]! > 0n;
      return { id, payees, seller: paysSeller ? 'always' : 'never', aboveWithSeller: payees - 1, aboveWithoutSeller: payees - 1 };
    }
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
    },
  ];
  for (const entry of plan.templates) {
    if (paysOnSkus(entry, entrySkus)) {
      findings.push({
        code: 'recruit-reward',
        template: entry.id,
        message: `${entry.id} pays on the entry package ${entrySkus.join(', ')}, i.e. money for each recruit`,
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
 * Whether a template pays on buying one of `skus` (the entry package): a `when:` condition naming
 * one, whatever the template; a targeted reward listing one, or filtering neither SKUs nor
 * categories (it pays on every SKU, the package too).
 */
function paysOnSkus(entry: CompiledTemplate, skus: readonly string[]): boolean {
  if (entry.condition?.literals.some((literal) => skus.includes(literal))) return true;
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
