import { describe, expect, it } from 'vitest';
import type { Explanation } from '../engine/templates/template.ts';
import { explainPart, readableFigures } from './render.ts';

const settings = { timezone: 'Asia/Shanghai', currency: 'CNY', decimals: 2 };

/** A differential part: 3% (own rate 8%, 5% paid below) of an exact base of 10001/3 fen: 100.01 fen, rounded to 1.00. */
const gap: Explanation = {
  rule: 'diff',
  template: 'differential',
  to: 'A',
  order: 'O1',
  line: 1,
  base: { kind: 'paid', amount: { num: 10_001n, den: 3n } },
  rate: 30_000n,
  exact: { num: 300_030_000n, den: 3_000_000n },
  amount: 100n,
  position: 2,
  level: 3,
  reason: 'differential.gap',
  facts: { ownRate: '80000', paidBelow: '50000' },
};

describe('readableFigures', () => {
  it('gives money in major units, rates as percentages, and exact values with "…" when they do not terminate', () => {
    expect(readableFigures(gap, 2)).toEqual({
      amount: '1.00',
      exact: '1.0001',
      base: '33.33666666…',
      rate: '3%',
      facts: { ownRate: '8%', paidBelow: '5%' },
    });
  });

  it('formats money facts in the currency’s decimals and leaves ids and counts as they are', () => {
    const pool: Explanation = {
      rule: 'bonus',
      template: 'pool',
      to: 'A',
      period: '2026-03',
      base: { kind: 'teamSales', amount: { num: 1_000_000n, den: 1n } },
      rate: 12_500n,
      exact: { num: 125n * 10n ** 8n, den: 10n ** 6n * 3n },
      amount: 4_167n,
      reason: 'pool.teamSales',
      facts: { pool: '12500', weight: '250000', totalWeight: '750000' },
    };
    expect(readableFigures(pool, 0).facts).toEqual({ pool: '12500', weight: '250000', totalWeight: '750000' });
    expect(readableFigures(pool, 2).facts).toEqual({ pool: '125.00', weight: '2500.00', totalWeight: '7500.00' });
    expect(readableFigures({ ...gap, reason: 'group-buy.recommender', facts: { pickupPoint: 'P7' } }, 2).facts).toEqual({
      pickupPoint: 'P7',
    });
  });

  it('are the figures the sentence shows', () => {
    const figures = readableFigures(gap, 2);
    for (const lang of ['zh-CN', 'en'] as const) {
      const sentence = explainPart(gap, settings, lang);
      for (const figure of [figures.amount, figures.exact, figures.base!, figures.rate!, ...Object.values(figures.facts!)])
        expect(sentence).toContain(figure);
    }
  });
});
