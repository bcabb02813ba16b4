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
  it('go up to 10,000,000.00 a unit, so that a line of a million units stays a storable amount', () => {
    expect(parsePlan(targeted('10000000.00'), context).ok).toBe(true);
    expect(parsePlan(levelPrice('10000000.00'), context).ok).toBe(true);
  });

  it('are refused above that, with the path of the field and the limit in the message', () => {
    const perUnit = parsePlan(targeted('10000000.01'), context);
    expect(perUnit).toMatchObject({ ok: false, path: ['templates', 0, 'params', 'perUnit'] });
    expect(perUnit.ok || perUnit.message).toContain('at most 10000000.00');
    const price = parsePlan(levelPrice('10000000.01'), context);
    expect(price).toMatchObject({ ok: false, path: ['templates', 0, 'params', 'prices', '2'] });
  });
});
