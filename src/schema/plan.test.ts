import { describe, expect, it } from 'vitest';
import { parsePlan } from './plan.ts';

const context = { timezone: 'Asia/Shanghai', decimals: 2 };

const targeted = (perUnit: string) => ({
  templates: [{ id: 'promo', template: 'targeted', params: { from: '2026-03-01', to: '2026-04-01', perUnit, base: 'paid' } }],
});

const levelPrice = (price: string) => ({
  levels: [{ level: 1 }, { level: 2 }],
  templates: [{ id: 'prices', template: 'level-price', params: { prices: { '1': '100.00', '2': price } } }],
});

describe('amounts per unit in a plan', () => {
  it('go up to the largest amount fenyong takes (10^15 minor units): DOMAIN.md keeps 10^13 exact', () => {
    expect(parsePlan(targeted('10000000000000.00'), context).ok).toBe(true);
    expect(parsePlan(levelPrice('60000000000.00'), context).ok).toBe(true);
    expect(parsePlan(targeted('10000000000000.01'), context)).toMatchObject({
      ok: false,
      path: ['templates', 0, 'params', 'perUnit'],
    });
  });

  it('bound the units of one order line, so that no award can pass that largest amount', () => {
    const limitOf = (plan: unknown) => {
      const parsed = parsePlan(plan, context);
      return parsed.ok ? parsed.value.maxQtyPerLine : null;
    };
    expect(limitOf(targeted('10000000.00'))).toBe(1_000_000); // a million units, as any line
    expect(limitOf(levelPrice('60000000000.00'))).toBe(166); // 10^15 / (6 × 10^12), rounded down
    expect(limitOf(targeted('10000000000000.00'))).toBe(1);
    expect(limitOf({ templates: [{ id: 'ml', template: 'multi-level', params: { rates: ['10%'] } }] })).toBe(1_000_000);
  });
});

describe('level keys of a plan table (differential rates, level prices)', () => {
  const differential = (rates: Record<string, string>) => ({
    templates: [{ id: 'diff', template: 'differential', params: { rates } }],
  });
  const prices = (table: Record<string, string>) => ({
    templates: [{ id: 'lp', template: 'level-price', params: { prices: table } }],
  });

  it('are levels 1 to 99 as a member has them', () => {
    expect(parsePlan(differential({ 1: '5%', 2: '9%', 99: '12%' }), context).ok).toBe(true);
    expect(parsePlan(prices({ 1: '100.00', 10: '80.00' }), context).ok).toBe(true);
  });

  it('are refused with a leading zero, as 0 or above 99: such a key would never match a level', () => {
    for (const key of ['01', '0', '100', '1.0', ' 1']) {
      const rates = parsePlan(differential({ [key]: '5%' }), context);
      expect(rates, key).toMatchObject({ ok: false, path: ['templates', 0, 'params', 'rates', key] });
      expect(rates.ok || rates.message).toContain('level keys are levels from 1 to 99');
      expect(parsePlan(prices({ [key]: '100.00' }), context).ok, key).toBe(false);
    }
  });
});

describe('team-tier tiers', () => {
  const tiers = (list: { min: string; rate: string }[]) => ({
    templates: [{ id: 'team', template: 'team-tier', params: { period: 'month', tiers: list } }],
  });

  it('may be listed in any order: the rate is that of the highest tier whose min is at most T', () => {
    const parsed = parsePlan(
      tiers([
        { min: '1000.00', rate: '3%' },
        { min: '0.01', rate: '1%' },
        { min: '100.00', rate: '2%' },
      ]),
      context,
    );
    expect(parsed.ok).toBe(true);
    const params = parsed.ok ? (parsed.value.templates[0]!.params as { tiers: { min: bigint }[] }) : null;
    expect(params?.tiers.map((tier) => tier.min)).toEqual([1n, 10000n, 100000n]);
  });

  it('are refused when two have the same min (the rate would be left open)', () => {
    const parsed = parsePlan(
      tiers([
        { min: '100.00', rate: '2%' },
        { min: '100.00', rate: '3%' },
      ]),
      context,
    );
    expect(parsed).toMatchObject({ ok: false, path: ['templates', 0, 'params', 'tiers'] });
    expect(parsed.ok || parsed.message).toContain('two tiers have the same `min`');
  });
});

describe('a plan’s defaults and ids', () => {
  it('takes a template id written as a number as its text, like every other id', () => {
    const parsed = parsePlan({ templates: [{ id: 2024, template: 'multi-level', params: { rates: ['10%'] } }] }, context);
    expect(parsed.ok && parsed.value.templates[0]!.id).toBe('2024');
  });

  it('sets the minimum withdrawal to 0.01 of the currency: 1 fen, 10 fils, 1 yen', () => {
    const minimum = (decimals: number) => {
      const parsed = parsePlan({ templates: [] }, { timezone: 'UTC', decimals });
      return parsed.ok ? parsed.value.plan.minWithdrawal : null;
    };
    expect([minimum(2), minimum(3), minimum(0)]).toEqual([1n, 10n, 1n]);
  });
});

describe('levels and their conditions', () => {
  it('refuses a level listed twice, and a condition of no known shape with the shapes it may have', () => {
    const twice = parsePlan({ levels: [{ level: 2 }, { level: 2 }], templates: [] }, context);
    expect(twice).toMatchObject({
      ok: false,
      path: ['levels', 1, 'level'],
      message: expect.stringContaining('level 2 is listed twice'),
    });
    const unknown = parsePlan({ levels: [{ level: 2, upgradeWhen: { sales: '1.00' } }], templates: [] }, context);
    expect(unknown).toMatchObject({ ok: false, path: ['levels', 0, 'upgradeWhen'] });
    expect(unknown.ok ? '' : unknown.message).toContain('{ personalSales: ... }');
  });
});
