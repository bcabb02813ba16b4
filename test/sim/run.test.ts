import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { formatMoney } from '../../src/money/money.ts';
import { EXAMPLE_PLANS, readPlanFile } from '../../src/sim/plans.ts';
import {
  closeHorizon,
  generatedSource,
  simulate,
  SimulationStopped,
  type Progress,
  type SimulationReport,
} from '../../src/sim/run.ts';
import { renderReport } from '../../src/sim/table.ts';
import { syntheticData } from '../../src/sim/timeline.ts';

const params = {
  seed: 11,
  months: 4,
  start: '2026-02',
  network: { members: 2_000 },
  orders: { ordersPerMonth: 1_500, refundRate: 0.08 },
};
const A = readPlanFile(EXAMPLE_PLANS.a);
const B = readPlanFile(EXAMPLE_PLANS.b);
const minor = (money: string) => BigInt(money.replace('.', ''));
const withoutTiming = ({ timing: _timing, ...rest }: SimulationReport) => rest;

describe('simulate over generated data', async () => {
  const data = syntheticData(params);
  const progress: Progress[] = [];
  const report = await simulate(generatedSource(data), [A, B, { ...A, name: 'A again' }], {
    onProgress: (p) => progress.push(p),
  });
  const [a, b, again] = report.plans as [
    SimulationReport['plans'][number],
    SimulationReport['plans'][number],
    SimulationReport['plans'][number],
  ];

  it('runs two plans over the same events: they differ only by what the plan pays', () => {
    expect(report.months).toEqual(['2026-02', '2026-03', '2026-04', '2026-05']);
    expect({ ...again, name: a.name }).toEqual(a); // the same plan again: the very same figures
    for (const [index, month] of a.months.entries()) {
      const other = b.months[index]!;
      expect(other.orders).toBe(month.orders);
      expect(other.gmv).toBe(month.gmv);
      expect(other.levels).toEqual(month.levels); // both plans have the same level rules
      expect(other.cost).not.toBe(month.cost);
    }
    expect(a.rules).toEqual(['direct', 'team']);
    expect(new Set(b.rules)).toEqual(new Set(['direct', 'diff', 'pool']));
    expect(a.rejected.count).toBe(0);
    expect(b.rejected.count).toBe(0);
  });

  it('adds up: cost by rule sums to the cost, months to the totals, and the totals to every award of the engine', () => {
    for (const plan of report.plans) {
      for (const month of plan.months) {
        const byRule = Object.values(month.costByRule).reduce((sum, amount) => sum + minor(amount), 0n);
        expect(byRule).toBe(minor(month.cost));
        expect(month.ratio).toBeCloseTo(Number(minor(month.cost)) / Number(minor(month.gmv)), 10);
      }
      expect(plan.months.reduce((sum, month) => sum + minor(month.cost), 0n)).toBe(minor(plan.totals.cost));
      expect(plan.months.reduce((sum, month) => sum + minor(month.gmv), 0n)).toBe(minor(plan.totals.gmv));
      expect(plan.months.reduce((sum, month) => sum + month.orders, 0)).toBe(data.orders);
      for (const rule of plan.rules) {
        expect(plan.months.reduce((sum, month) => sum + minor(month.costByRule[rule]!), 0n)).toBe(
          minor(plan.totals.costByRule[rule]!),
        );
      }
    }
    // The same events straight through an engine: every award, by rule, and the net sales.
    for (const [plan, input] of [
      [a, A],
      [b, B],
    ] as const) {
      const engine = Engine.create({ timezone: 'Asia/Shanghai', currency: 'CNY', plan: input.plan, members: data.members });
      let sales = 0n;
      for (const event of data.events()) {
        expect(engine.applyParsed(event).status).toBe('applied');
        if (event.type === 'order.paid') for (const line of event.lines) sales += line.paid;
        if (event.type === 'order.refunded') for (const line of event.lines) sales -= line.amount;
      }
      engine.passTime(closeHorizon(engine, data.months.at(-1)!.end));
      const byRule: Record<string, bigint> = {};
      for (const award of engine.state.awards.all()) byRule[award.rule] = (byRule[award.rule] ?? 0n) + award.amount;
      expect(
        Object.fromEntries(
          Object.entries(byRule)
            .filter(([, amount]) => amount !== 0n)
            .map(([rule, amount]) => [rule, formatMoney(amount, 2)]),
        ),
      ).toEqual(plan.totals.costByRule);
      expect(formatMoney(sales, 2)).toBe(plan.totals.gmv);
    }
  });

  it('reports the payout spread and the members per level', () => {
    for (const month of a.months) {
      expect(month.payouts.earners).toBeGreaterThan(0);
      expect(month.payouts.gini).toBeGreaterThan(0);
      expect(month.payouts.gini).toBeLessThan(1);
      expect(month.payouts.top10Share).toBeGreaterThan(0.1);
      expect(minor(month.payouts.median)).toBeLessThanOrEqual(minor(month.payouts.max));
      expect(month.levels.distributors + month.levels.customers).toBeGreaterThan(2_000);
      expect(Object.values(month.levels.byLevel).reduce((s, n) => s + n, 0)).toBe(month.levels.distributors);
    }
    // The network only grows (joins), levels never fall.
    const sizes = a.months.map((m) => m.levels.distributors + m.levels.customers);
    expect([...sizes].sort((x, y) => x - y)).toEqual(sizes);
  });

  it('lints each plan: B pays more than 3 members of a chain', () => {
    expect(b.findings.map((f) => f.code)).toContain('chain-over-3');
    expect(a.findings.map((f) => f.code)).not.toContain('chain-over-3');
  });

  it('is deterministic: the same parameters give the same report', async () => {
    const second = await simulate(generatedSource(syntheticData(params)), [A, B, { ...A, name: 'A again' }]);
    expect(withoutTiming(second)).toEqual(withoutTiming(report));
  });

  it('reports progress up to the end of every plan', () => {
    expect(progress.length).toBeGreaterThan(10);
    const overall = progress.map((p) => p.overall);
    expect([...overall].sort((x, y) => x - y)).toEqual(overall);
    expect(overall.at(-1)).toBe(1);
    expect(progress.filter((p) => p.fraction === 1).map((p) => p.plan)).toEqual([A.name, B.name, 'A again']);
  });

  it('renders a terminal table with the plans side by side', () => {
    const text = renderReport(report);
    expect(text).toContain('A cost');
    expect(text).toContain('C ratio');
    expect(text).toContain('2026-05');
    expect(text).toContain('chain-over-3');
  });
});

describe('simulate: warnings and limits', () => {
  it('warns when the rewards of a month exceed 30% of its sales (the direct-selling cap)', async () => {
    const rich = {
      name: 'rich',
      plan: { templates: [{ id: 'big', template: 'multi-level', params: { rates: ['25%', '10%'], base: 'paid' } }] },
    };
    const report = await simulate(generatedSource(syntheticData({ ...params, months: 2 })), [rich]);
    const plan = report.plans[0]!;
    expect(plan.months.every((month) => month.ratio > 0.3)).toBe(true);
    expect(plan.months.map((month) => month.findings.map((f) => f.code))).toEqual([['cost-over-cap'], ['cost-over-cap']]);
    expect(plan.findings.filter((f) => f.code === 'cost-over-cap')).toHaveLength(2);
    const capped = await simulate(generatedSource(syntheticData({ ...params, months: 2 })), [rich], { cap: 0.5 });
    expect(capped.plans[0]!.findings.filter((f) => f.code === 'cost-over-cap')).toEqual([]);
  });

  it('stops a run that takes longer than its limit', async () => {
    await expect(simulate(generatedSource(syntheticData(params)), [A], { timeLimitMs: 0 })).rejects.toBeInstanceOf(
      SimulationStopped,
    );
    const controller = new AbortController();
    controller.abort();
    await expect(simulate(generatedSource(syntheticData(params)), [A], { signal: controller.signal })).rejects.toBeInstanceOf(
      SimulationStopped,
    );
  });
});
