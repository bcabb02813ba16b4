import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_PLANS, readPlanFile } from '../../src/sim/plans.ts';
import { generatedSource, simulate } from '../../src/sim/run.ts';
import { costByRuleSvg, costRatioSvg, niceTicks, reportCharts } from '../../src/sim/svg.ts';
import { syntheticData } from '../../src/sim/timeline.ts';

/** Parses `xml` with a conforming XML parser; answers the elements seen, throws on anything not well-formed. */
function elements(xml: string): { name: string; attributes: Record<string, string> }[] {
  const parser = new SaxesParser({ xmlns: true });
  const seen: { name: string; attributes: Record<string, string> }[] = [];
  let error: Error | null = null;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag) => {
    seen.push({ name: tag.local, attributes: Object.fromEntries(Object.values(tag.attributes).map((a) => [a.local, a.value])) });
  });
  parser.write(xml).close();
  if (error) throw error;
  return seen;
}

describe('SVG charts', async () => {
  const report = await simulate(
    generatedSource(syntheticData({ seed: 2, months: 3, network: { members: 800 }, orders: { ordersPerMonth: 400 } })),
    [readPlanFile(EXAMPLE_PLANS.a), { name: 'B & <friends> "快乐"', plan: readPlanFile(EXAMPLE_PLANS.b).plan }],
  );

  it('are well-formed SVG documents, names with markup escaped', () => {
    for (const chart of reportCharts(report)) {
      const tags = elements(chart.svg);
      expect(tags[0]!.name, chart.name).toBe('svg');
      expect(tags[0]!.attributes.viewBox).toMatch(/^0 0 \d+ \d+$/);
      expect(tags.filter((tag) => tag.name === 'rect').length).toBeGreaterThan(3);
      for (const tag of tags)
        for (const value of Object.values(tag.attributes)) expect(value, `${tag.name}`).not.toMatch(/NaN|undefined|Infinity/);
    }
    expect(reportCharts(report).map((chart) => chart.name)).toEqual([
      'cost-by-rule-a.svg',
      'cost-by-rule-b.svg',
      'cost-ratio.svg',
    ]);
    expect(costRatioSvg(report)).toContain('B &amp; &lt;friends&gt; &quot;快乐&quot;');
  });

  it('draw one bar segment per rule and month, and one bar per plan and month with the cap line', () => {
    const byRule = elements(costByRuleSvg(report, 0));
    const segments = byRule.filter(
      (tag) => tag.name === 'rect' && tag.attributes.fill !== '#ffffff' && tag.attributes.width !== '12',
    );
    const nonZero = report.plans[0]!.months.flatMap((month) =>
      Object.values(month.costByRule).filter((amount) => Number(amount) > 0),
    );
    expect(segments).toHaveLength(nonZero.length);
    const ratio = elements(costRatioSvg(report));
    const bars = ratio.filter((tag) => tag.name === 'rect' && tag.attributes.fill !== '#ffffff' && tag.attributes.width !== '12');
    expect(bars).toHaveLength(report.plans.length * report.months.length);
    expect(ratio.some((tag) => tag.name === 'line' && tag.attributes['stroke-dasharray'])).toBe(true);
  });

  it('pick round ticks that cover the data', () => {
    expect(niceTicks(27)).toEqual([0, 10, 20, 30]);
    expect(niceTicks(24)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(niceTicks(98_765)).toEqual([0, 20_000, 40_000, 60_000, 80_000, 100_000]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
