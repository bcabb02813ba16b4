import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMoney } from '../../money/money.ts';
import { cnLabor, cnLaborTax } from './cn-labor.ts';
import { flat20 } from './flat-20.ts';
import { none } from './none.ts';
import { TAX_REGIMES } from './tax.ts';

const yuan = (text: string): bigint => parseMoney(text, 2)!;
const tax = (gross: string): bigint => cnLaborTax(yuan(gross), 2);

/**
 * DOMAIN.md, "Balances and withdrawals" — 劳务报酬 on the month's cumulative gross G:
 *   taxable = G ≤ 4000 ? max(0, G − 800) : G × 80%
 *   tax = taxable ≤ 20000 ? 20% × taxable : taxable ≤ 50000 ? 30% × taxable − 2000 : 40% × taxable − 7000
 * rounded half-up once.
 */
describe('cn-labor withholding (劳务报酬)', () => {
  it('withholds nothing up to 800 yuan', () => {
    expect(tax('0.00')).toBe(0n);
    expect(tax('500.00')).toBe(0n);
    expect(tax('800.00')).toBe(0n);
  });

  it('taxes 20% of what exceeds 800 up to a gross of 4000', () => {
    expect(tax('1000.00')).toBe(yuan('40.00'));
    expect(tax('4000.00')).toBe(yuan('640.00')); // 20% × 3200
  });

  it('rounds the exact tax once, half-up, to the fen', () => {
    expect(tax('800.01')).toBe(0n); // 20% × 1 fen = 0.2 fen → 0
    expect(tax('800.02')).toBe(0n); // 0.4 fen → 0
    expect(tax('800.03')).toBe(1n); // 0.6 fen → 1
    expect(tax('1000.07')).toBe(yuan('40.01')); // 20% × 200.07 = 40.014 → 40.01
    expect(tax('1000.08')).toBe(yuan('40.02')); // 40.016 → 40.02
  });

  it('switches to 80% of the gross just above 4000, continuously', () => {
    // taxable = 4000.01 × 80% = 3200.008; 20% of it is 640.0016 → 640.00
    expect(tax('4000.01')).toBe(yuan('640.00'));
    expect(tax('5000.00')).toBe(yuan('800.00')); // 20% × 4000
  });

  it('taxes a taxable income of exactly 20000 at 20%, and just above it at 30% − 2000', () => {
    expect(tax('25000.00')).toBe(yuan('4000.00')); // taxable 20000 → 20%
    expect(tax('25000.01')).toBe(yuan('4000.00')); // taxable 20000.008 → 30% − 2000 = 4000.0024
    expect(tax('30000.00')).toBe(yuan('5200.00')); // taxable 24000 → 7200 − 2000
  });

  it('taxes a taxable income of exactly 50000 at 30% − 2000, and just above it at 40% − 7000', () => {
    expect(tax('62500.00')).toBe(yuan('13000.00')); // taxable 50000 → 15000 − 2000
    expect(tax('62500.01')).toBe(yuan('13000.00')); // taxable 50000.008 → 20000.0032 − 7000
    expect(tax('100000.00')).toBe(yuan('25000.00')); // taxable 80000 → 32000 − 7000
  });

  it('stays exact for a gross of 10^13 fen', () => {
    // taxable = 8 × 10^10 yuan; 40% − 7000 = 3.2 × 10^10 − 7000 yuan
    expect(cnLaborTax(10n ** 13n, 2)).toBe(3_200_000_000_000n - 700_000n);
  });

  it('scales its yuan thresholds to a currency without minor unit', () => {
    expect(cnLaborTax(800n, 0)).toBe(0n);
    expect(cnLaborTax(4000n, 0)).toBe(640n);
    expect(cnLaborTax(25000n, 0)).toBe(4000n);
  });

  it('agrees with the DOMAIN.md formula evaluated in exact rationals', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 11n }), (gross) => {
        // Everything in fen × 500, so that 80%, 20%, 30% and 40% stay integers.
        const taxable500 = gross <= 400_000n ? (gross > 80_000n ? (gross - 80_000n) * 500n : 0n) : gross * 400n;
        const t500 =
          taxable500 <= 2_000_000n * 500n
            ? (taxable500 * 20n) / 100n
            : taxable500 <= 5_000_000n * 500n
              ? (taxable500 * 30n) / 100n - 200_000n * 500n
              : (taxable500 * 40n) / 100n - 700_000n * 500n;
        const expected = (2n * t500 + 500n) / 1000n; // half-up of t500 / 500 (t500 ≥ 0)
        expect(cnLaborTax(gross, 2)).toBe(expected);
      }),
    );
  });

  it('never decreases as the month’s gross grows', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.bigInt({ min: 0n, max: 10n ** 8n }), (gross, more) => {
        expect(cnLaborTax(gross + more, 2) >= cnLaborTax(gross, 2)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never decreases across each bracket boundary, fen by fen', () => {
    for (const boundary of [80_000n, 400_000n, 2_500_000n, 6_250_000n]) {
      for (let g = boundary - 50n; g < boundary + 50n; g++) expect(cnLaborTax(g + 1n, 2) >= cnLaborTax(g, 2)).toBe(true);
    }
  });

  it('withholds on a withdrawal the tax of the month’s gross after it, minus what the month already withheld', () => {
    const first = cnLabor.withhold({ gross: 0n, withheld: 0n }, yuan('3000.00'), 2);
    expect(first).toBe(yuan('440.00')); // 20% × 2200
    const second = cnLabor.withhold({ gross: yuan('3000.00'), withheld: first }, yuan('2000.00'), 2);
    expect(second).toBe(yuan('800.00') - first); // G = 5000 → 800 in total
  });

  it('withholds in total, over any split of the month’s withdrawals, the tax of their sum', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: 5_000_000n }), { minLength: 1, maxLength: 6 }), (amounts) => {
        let month = { gross: 0n, withheld: 0n };
        for (const amount of amounts) {
          const withheld = cnLabor.withhold(month, amount, 2);
          month = { gross: month.gross + amount, withheld: month.withheld + withheld };
        }
        expect(month.withheld).toBe(cnLaborTax(month.gross, 2));
      }),
    );
  });
});

describe('other tax regimes', () => {
  it('none withholds nothing', () => {
    expect(none.withhold({ gross: 0n, withheld: 0n }, yuan('99999.99'), 2)).toBe(0n);
  });

  it('flat-20 withholds 20% of each withdrawal, rounded half-up', () => {
    expect(flat20.withhold({ gross: 0n, withheld: 0n }, yuan('100.00'), 2)).toBe(yuan('20.00'));
    expect(flat20.withhold({ gross: 0n, withheld: 0n }, 3n, 2)).toBe(1n); // 0.6 fen → 1
    expect(flat20.withhold({ gross: 0n, withheld: 0n }, 2n, 2)).toBe(0n); // 0.4 fen → 0
  });

  it('registers every regime a plan may name under its id', () => {
    expect(Object.keys(TAX_REGIMES).sort()).toEqual(['cn-labor', 'flat-20', 'none']);
    for (const [id, regime] of Object.entries(TAX_REGIMES)) expect(regime.id).toBe(id);
  });
});
