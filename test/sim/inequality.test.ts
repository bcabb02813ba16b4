import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ratio, spreadOf } from '../../src/sim/inequality.ts';

describe('payout spread (exact on minor units)', () => {
  it('gives the known Gini coefficients', () => {
    expect(spreadOf([5, 5, 5, 5]).gini).toBe(0);
    expect(spreadOf([0, 0, 0, 10]).gini).toBe(0.75); // one of n gets everything: (n − 1) / n
    expect(spreadOf([4, 1, 3, 2]).gini).toBe(0.25); // 1, 2, 3, 4
    expect(spreadOf([7]).gini).toBe(0);
    expect(spreadOf([]).gini).toBe(0);
  });

  it('takes the lower median, the top 10% share and the total exactly', () => {
    const spread = spreadOf([400, 100, 300, 200]);
    expect(spread.median).toBe(200n);
    expect(spread.max).toBe(400n);
    expect(spread.total).toBe(1000n);
    expect(spread.top10Share).toBe(0.4); // ⌈4/10⌉ = 1 member: 400 of 1000
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(spreadOf(hundred).top10Share).toBe(ratio(BigInt((91 + 100) * 5), 5050n));
    expect(spreadOf(hundred).median).toBe(50n);
  });

  it('stays exact with amounts near 2^53 (bigint sums, one rounding at the end)', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const spread = spreadOf([0, big]);
    expect(spread.total).toBe(BigInt(big));
    expect(spread.gini).toBe(0.5);
    expect(spreadOf([big, big, big]).gini).toBe(0);
  });

  it('keeps Gini in [0, 1] and top 10% in [0.1, 1] for any amounts', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 ** 12 }), { minLength: 1, maxLength: 200 }), (amounts) => {
        const spread = spreadOf(amounts);
        expect(spread.gini).toBeGreaterThanOrEqual(0);
        expect(spread.gini).toBeLessThanOrEqual(1);
        if (spread.total > 0n)
          expect(spread.top10Share).toBeGreaterThanOrEqual(Math.ceil(amounts.length / 10) / amounts.length - 1e-12);
        expect(spread.top10Share).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('refuses what is not an amount in minor units', () => {
    expect(() => spreadOf([1.5])).toThrow();
    expect(() => spreadOf([-1])).toThrow();
  });
});
