import type { Engine } from '../engine/engine.ts';
import type { Finding } from '../lint/profile.ts';
import { formatMoney } from '../money/money.ts';
import { addTo, isZero, sumValue, type RunningSum } from '../money/running-sum.ts';
import { ratio, spreadOf } from './inequality.ts';
import { lastMonthOfPeriod, monthIndex, type Month } from './months.ts';

/** The direct-selling cap: total rewards above this share of a period's sales get a warning. */
export const DEFAULT_COST_CAP = 0.3;

/** Distributors per level (and customers) at the end of a month. */
export interface LevelCounts {
  readonly customers: number;
  readonly distributors: number;
  /** Distributors per level, `"1"`, `"2"`, … */
  readonly byLevel: Record<string, number>;
}

export interface PayoutSpread {
  /** Members with a positive payout for the month. */
  readonly earners: number;
  readonly median: string;
  readonly max: string;
  /** Share of the month's cost going to the top 10% of earners. */
  readonly top10Share: number;
  /** Gini coefficient over the earners, 0 … 1. */
  readonly gini: number;
}

export interface MonthReport {
  readonly month: string;
  /** Orders paid in the month. */
  readonly orders: number;
  /** Net paid of those orders (refunds deducted, whenever they came): the month's sales. */
  readonly gmv: string;
  /** Commission cost attributed to the month: awards of its orders (net of refund adjustments) and of periods ending in it. */
  readonly cost: string;
  readonly costByRule: Record<string, string>;
  /** cost / gmv (0 without sales). */
  readonly ratio: number;
  readonly payouts: PayoutSpread;
  readonly levels: LevelCounts;
  /** Per-period findings, e.g. rewards above the direct-selling cap. */
  readonly findings: readonly Finding[];
}

export interface PlanReport {
  readonly name: string;
  /** The plan's lint findings (profile `cn`), then the findings of its months. */
  readonly findings: readonly Finding[];
  readonly rules: readonly string[];
  readonly months: readonly MonthReport[];
  readonly totals: {
    readonly orders: number;
    readonly gmv: string;
    readonly cost: string;
    readonly costByRule: Record<string, string>;
    readonly ratio: number;
    /** The spread of every member's total over the whole window. */
    readonly payouts: PayoutSpread;
  };
  /** Events the engine refused (none for generated data). */
  readonly rejected: {
    readonly count: number;
    readonly samples: readonly { readonly at: string; readonly code: string; readonly message: string }[];
  };
}

/** Minor-unit figures of one plan's run, before they are formatted. */
interface Tally {
  orders: number[];
  /** Lines of every order read (in or out of the window): the run's timing reports them. */
  lines: number;
  gmv: bigint[];
  cost: bigint[];
  byRule: Map<string, bigint[]>;
  /** Per month and over the whole window: what each member was paid (minor units, safe integers). */
  payouts: Payouts;
}

/**
 * What each member was paid, per month and in all: a dense number per payee (one lookup by id an
 * award, not two per month and in all) and sums in typed arrays. Amounts are safe integers summed
 * in doubles, exactly, as before in maps.
 */
class Payouts {
  readonly #index = new Map<string, number>();
  #capacity = 1024;
  #months: Float64Array<ArrayBuffer>[];
  #overall: Float64Array<ArrayBuffer> = new Float64Array(this.#capacity);

  constructor(months: number) {
    this.#months = Array.from({ length: months }, () => new Float64Array(this.#capacity));
  }

  add(month: number, to: string, value: number): void {
    let payee = this.#index.get(to);
    if (payee === undefined) {
      payee = this.#index.size;
      this.#index.set(to, payee);
      if (payee >= this.#capacity) this.#grow();
    }
    this.#months[month]![payee]! += value;
    this.#overall[payee]! += value;
  }

  /** Every payee's sum in `month` (−1: over the whole window); zero for those paid nothing then. */
  amounts(month: number): Float64Array {
    return (month < 0 ? this.#overall : this.#months[month]!).subarray(0, this.#index.size);
  }

  #grow(): void {
    this.#capacity *= 2;
    const grown = (from: Float64Array): Float64Array<ArrayBuffer> => {
      const to = new Float64Array(this.#capacity);
      to.set(from);
      return to;
    };
    this.#months = this.#months.map(grown);
    this.#overall = grown(this.#overall);
  }
}

/**
 * Reads a finished engine: what each month sold and cost, by cohort — an order's awards (net of
 * later refund adjustments) count for the month it was paid in, a period award for the month
 * its period ends in (a quarter's pool for its last month). GMV is the month's orders' net paid.
 * This is not the ledger's month of posting (GET /v1/reports/summary): cost and sales of the
 * same orders meet in the same month, which is what a cost ratio needs.
 */
export function tallyEngine(engine: Engine, months: readonly Month[]): Tally {
  const n = months.length;
  const tally: Tally = {
    orders: new Array<number>(n).fill(0),
    lines: 0,
    gmv: new Array<bigint>(n).fill(0n),
    cost: new Array<bigint>(n).fill(0n),
    byRule: new Map(),
    payouts: new Payouts(n),
  };
  // Summed as running sums (numbers while they are safe integers): a year has millions of awards,
  // and a BigInt per addition was most of the tally.
  const gmv: RunningSum[] = new Array<RunningSum>(n).fill(0);
  const cost: RunningSum[] = new Array<RunningSum>(n).fill(0);
  // The order book and the award book read by number: no PaidOrder or award object per award.
  const book = engine.state.orders;
  const awards = engine.state.awards;
  // Rows by the award book's rule index (a lookup of the rule's id in a map per award, otherwise).
  const rules = [...awards.ruleIds];
  const byRule: (RunningSum[] | undefined)[] = [];
  const add = (index: number, rule: number, to: string, amount: RunningSum) => {
    if (isZero(amount)) return;
    cost[index] = addTo(cost[index]!, amount);
    const row = (byRule[rule] ??= new Array<RunningSum>(n).fill(0));
    row[index] = addTo(row[index]!, amount);
    tally.payouts.add(index, to, Number(amount));
  };
  let last = -1;
  for (let order = 0; order < book.size; order++) {
    // Its event is read once, for its instant and its lines (the run reported them in a pass of its own).
    const event = book.event(order);
    const paidAt = event.at;
    tally.lines += event.lines.length;
    // Orders come in time order: the month of the previous one is the likely one.
    const index = last >= 0 && months[last]!.start <= paidAt && paidAt < months[last]!.end ? last : monthIndex(months, paidAt);
    last = index;
    if (index < 0) continue;
    tally.orders[index]! += 1;
    gmv[index] = addTo(gmv[index]!, book.netPaidSum(order));
    const count = book.awardCount(order);
    for (let position = 0; position < count; position++) {
      const award = book.awardNumber(order, position);
      add(index, awards.ruleIndex(award), awards.to(award), awards.amountSum(award));
    }
  }
  const byLabel = new Map(months.map((month, index) => [month.label, index]));
  for (const award of awards.periodAwards()) {
    const index = byLabel.get(lastMonthOfPeriod(award.period!));
    if (index === undefined) continue;
    const rule = rules.indexOf(award.rule);
    add(index, rule >= 0 ? rule : rules.push(award.rule) - 1, award.to, award.amount);
  }
  tally.gmv = gmv.map(sumValue);
  tally.cost = cost.map(sumValue);
  for (const [rule, row] of byRule.entries()) if (row) tally.byRule.set(rules[rule]!, row.map(sumValue));
  return tally;
}

/** Counts distributors per level and customers now. */
export function levelCounts(engine: Engine): LevelCounts {
  let customers = 0;
  let distributors = 0;
  const byLevel: Record<string, number> = {};
  for (const member of engine.state.network.all()) {
    if (!member.isDistributor) {
      customers++;
      continue;
    }
    distributors++;
    byLevel[member.level] = (byLevel[member.level] ?? 0) + 1;
  }
  return { customers, distributors, byLevel };
}

/** Formats a tally into the plan's report, with the lint findings and the cap warnings. */
export function planReport(input: {
  name: string;
  tally: Tally;
  months: readonly Month[];
  levels: readonly LevelCounts[];
  decimals: number;
  lint: readonly Finding[];
  cap: number;
  rejected: PlanReport['rejected'];
}): PlanReport {
  const { tally, decimals, cap } = input;
  const money = (amount: bigint) => formatMoney(amount, decimals);
  const rules = [...tally.byRule.keys()].sort((a, b) => {
    const [x, y] = [sum(tally.byRule.get(a)!), sum(tally.byRule.get(b)!)];
    return x === y ? a.localeCompare(b) : x > y ? -1 : 1;
  });
  const spread = (amounts: Float64Array): PayoutSpread => {
    const s = spreadOf(amounts.filter((amount) => amount > 0));
    return { earners: s.members, median: money(s.median), max: money(s.max), top10Share: s.top10Share, gini: s.gini };
  };
  const capPpm = BigInt(Math.round(cap * 1_000_000));
  const months: MonthReport[] = input.months.map((month, index) => {
    const gmv = tally.gmv[index]!;
    const cost = tally.cost[index]!;
    const findings: Finding[] = [];
    if (cost * 1_000_000n > gmv * capPpm) {
      findings.push({
        code: 'cost-over-cap',
        severity: 'warn',
        message: `${month.label}: rewards ${money(cost)} are ${(ratio(cost, gmv) * 100).toFixed(1)}% of sales ${money(gmv)}, above the ${(cap * 100).toFixed(0)}% cap of the direct-selling rules (直销管理条例: 报酬总额不得超过销售收入的 30%)`,
      });
    }
    return {
      month: month.label,
      orders: tally.orders[index]!,
      gmv: money(gmv),
      cost: money(cost),
      costByRule: Object.fromEntries(rules.map((rule) => [rule, money(tally.byRule.get(rule)![index]!)])),
      ratio: ratio(cost, gmv),
      payouts: spread(tally.payouts.amounts(index)),
      levels: input.levels[index] ?? { customers: 0, distributors: 0, byLevel: {} },
      findings,
    };
  });
  const gmv = sum(tally.gmv);
  const cost = sum(tally.cost);
  return {
    name: input.name,
    findings: [...input.lint, ...months.flatMap((month) => month.findings)],
    rules,
    months,
    totals: {
      orders: tally.orders.reduce((total, n) => total + n, 0),
      gmv: money(gmv),
      cost: money(cost),
      costByRule: Object.fromEntries(rules.map((rule) => [rule, money(sum(tally.byRule.get(rule)!))])),
      ratio: ratio(cost, gmv),
      payouts: spread(tally.payouts.amounts(-1)),
    },
    rejected: input.rejected,
  };
}

const sum = (values: readonly bigint[]): bigint => values.reduce((total, value) => total + value, 0n);
