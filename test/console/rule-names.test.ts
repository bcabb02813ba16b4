import { describe, expect, it } from 'vitest';
import { ruleNamesInForce, ruleNamesOfAwards, withFallbackNames } from '../../console/src/lib/ruleNames.ts';

/** How the console names rules where the API answers their ids (reports by rule, statements). */

const version = (n: number, effectiveFrom: string | null, templates: unknown[]) => ({
  version: n,
  effectiveFrom,
  plan: { templates },
});
const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('ruleNamesInForce', () => {
  const versions = [
    version(1, null, [
      { id: 'direct', name: 'Direct v1', template: 'multi-level' },
      { id: 'old', name: 'Retired bonus', template: 'multi-level' },
      { id: 'area', name: 'Area v1', template: 'region' },
    ]),
    version(2, '2026-03-01T00:00:00.000Z', [
      { id: 'direct', name: 'Direct v2', template: 'multi-level' },
      { id: 'area', template: 'region' },
      { id: 2024, name: 'Year bonus', template: 'multi-level' },
    ]),
    version(3, '2026-09-01T00:00:00.000Z', [{ id: 'direct', name: 'Direct v3', template: 'multi-level' }]),
  ];

  it('names each rule as the latest version in force names it, never a version not yet in force', () => {
    const names = ruleNamesInForce(versions, NOW);
    expect(names.get('direct')).toBe('Direct v2');
    expect(names.get('2024')).toBe('Year bonus');
  });

  it('shows the id of a rule the plan in force leaves unnamed, and keeps the last name of a dropped rule', () => {
    const names = ruleNamesInForce(versions, NOW);
    expect(names.has('area')).toBe(false);
    expect(names.get('old')).toBe('Retired bonus');
  });

  it('reads plans of any shape without failing', () => {
    expect(ruleNamesInForce([{ version: 1, effectiveFrom: null, plan: null }], NOW).size).toBe(0);
    expect(ruleNamesInForce([{ version: 1, effectiveFrom: null, plan: { templates: [null, {}, 'x'] } }], NOW).size).toBe(0);
  });
});

describe('ruleNamesOfAwards', () => {
  it("names each rule as its latest award's plan version did, whatever the list's order", () => {
    const names = ruleNamesOfAwards([
      // (In the API's order, by last change: an old award refunded lately comes after a new one.)
      { rule: 'direct', ruleName: 'Direct v1', at: '2026-02-28T23:30:00.000Z' },
      { rule: 'direct', ruleName: 'Direct v2', at: '2026-03-15T04:00:00.000Z' },
      { rule: 'bonus', ruleName: null, at: '2026-03-15T04:00:00.000Z' },
      { rule: 'bonus', ruleName: 'Old bonus', at: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(names.get('direct')).toBe('Direct v2');
    expect(names.has('bonus')).toBe(false);
  });
});

describe('withFallbackNames', () => {
  it("keeps the awards' names and takes the plan's for rules no loaded award has", () => {
    const names = withFallbackNames(
      new Map([['direct', 'Direct v2']]),
      new Map([
        ['direct', 'Direct (plan)'],
        ['pool', 'Pool (plan)'],
      ]),
    );
    expect(Object.fromEntries(names)).toEqual({ direct: 'Direct v2', pool: 'Pool (plan)' });
    const alone = new Map([['direct', 'Direct v2']]);
    expect(withFallbackNames(alone, new Map())).toBe(alone);
  });
});
