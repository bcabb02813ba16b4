import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyRate, exact, formatExact, formatRate, parseRate, PPM, rateTimes, roundExact } from './rate.ts';

/** DOMAIN.md, "Money": rates are percent strings with up to 4 decimals; rate × base is exact, then rounded once half-up. */
describe('rates', () => {
  describe('parseRate', () => {
    it('reads a percentage as parts per million', () => {
      expect(parseRate('12.5%')).toBe(125_000n);
      expect(parseRate('3%')).toBe(30_000n);
      expect(parseRate('0%')).toBe(0n);
      expect(parseRate('100%')).toBe(PPM);
    });

    it('reads up to 4 decimal places exactly, the last one being one ppm', () => {
      expect(parseRate('12.3456%')).toBe(123_456n);
      expect(parseRate('0.0001%')).toBe(1n);
      expect(parseRate('99.9999%')).toBe(999_999n);
      expect(parseRate('100.0000%')).toBe(PPM);
    });

    it('refuses more than 4 decimal places', () => {
      expect(parseRate('12.34567%')).toBeNull();
      expect(parseRate('0.00001%')).toBeNull();
    });

    it('refuses a rate above 100%', () => {
      expect(parseRate('100.0001%')).toBeNull();
      expect(parseRate('101%')).toBeNull();
      expect(parseRate('999%')).toBeNull();
      expect(parseRate('1000%')).toBeNull();
    });

    it.each(['12.5', '', '%', '-1%', '+1%', '1.%', '.5%', '12,5%', 'abc%', '1e1%', '12.5 %'])(
      'refuses the malformed rate %j',
      (text) => {
        expect(parseRate(text)).toBeNull();
      },
    );

    it('ignores surrounding whitespace', () => {
      expect(parseRate(' 5% ')).toBe(50_000n);
    });
  });

  describe('formatRate', () => {
    it('writes parts per million back as the shortest percentage', () => {
      expect(formatRate(125_000n)).toBe('12.5%');
      expect(formatRate(123_456n)).toBe('12.3456%');
      expect(formatRate(1n)).toBe('0.0001%');
      expect(formatRate(0n)).toBe('0%');
      expect(formatRate(PPM)).toBe('100%');
    });

    it('round-trips with parseRate for every rate between 0% and 100%', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: PPM }), (ppm) => {
          expect(parseRate(formatRate(ppm))).toBe(ppm);
        }),
      );
    });
  });

  describe('applyRate', () => {
    it('computes rate × base exactly, then rounds once half-up', () => {
      expect(applyRate(parseRate('10%')!, exact(11980n))).toBe(1198n);
      expect(applyRate(parseRate('12.5%')!, exact(1000n))).toBe(125n);
      expect(applyRate(parseRate('50%')!, exact(1n))).toBe(1n); // 0.5 fen → 1 fen
      expect(applyRate(parseRate('50%')!, exact(3n))).toBe(2n); // 1.5 fen → 2 fen
      expect(applyRate(parseRate('3%')!, exact(49n))).toBe(1n); // 1.47 fen → 1 fen
      expect(applyRate(parseRate('3%')!, exact(16n))).toBe(0n); // 0.48 fen → 0
    });

    it('rounds a negative half away from zero', () => {
      expect(applyRate(parseRate('50%')!, exact(-1n))).toBe(-1n);
      expect(applyRate(parseRate('50%')!, exact(-3n))).toBe(-2n);
    });

    it('stays exact on bases of 10^13 minor units and beyond', () => {
      expect(applyRate(parseRate('12.3456%')!, exact(10n ** 13n))).toBe(1_234_560_000_000n);
      // 9 999 999 999 999 × 0.333333 = 3 333 329 999 999.666667 → …000 000
      expect(applyRate(parseRate('33.3333%')!, exact(9_999_999_999_999n))).toBe(3_333_330_000_000n);
      // 10^13 + 1 at 50% is …000 000.5: the half goes up
      expect(applyRate(parseRate('50%')!, exact(10n ** 13n + 1n))).toBe(5_000_000_000_001n);
      expect(applyRate(parseRate('0.0001%')!, exact(10n ** 18n))).toBe(10n ** 12n);
      expect(applyRate(PPM, exact(123_456_789_012_345_678n))).toBe(123_456_789_012_345_678n);
    });

    it('applies to a fractional exact base without rounding the base first', () => {
      expect(applyRate(parseRate('30%')!, { num: 10n, den: 3n })).toBe(1n); // exactly 1 fen
      expect(applyRate(parseRate('30%')!, { num: 5n, den: 3n })).toBe(1n); // exactly 0.5 fen → 1
      // 4.9 fen × 10% = 0.49 fen → 0; rounding the base to 5 fen first would wrongly give 0.5 → 1
      expect(applyRate(parseRate('10%')!, { num: 49n, den: 10n })).toBe(0n);
      expect(applyRate(parseRate('10%')!, { num: 51n, den: 10n })).toBe(1n); // 0.51 fen
    });

    it('never differs from the exact product by more than half a minor unit', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: PPM }), fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (ppm, base) => {
          const award = applyRate(ppm, exact(base));
          const twiceError = 2n * (award * PPM - ppm * base);
          expect(twiceError <= PPM && twiceError >= -PPM).toBe(true);
        }),
      );
    });

    it('agrees with rateTimes rounded by roundExact', () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: PPM }),
          fc.bigInt({ min: 0n, max: 10n ** 15n }),
          fc.bigInt({ min: 1n, max: 1000n }),
          (ppm, num, den) => {
            expect(applyRate(ppm, { num, den })).toBe(roundExact(rateTimes(ppm, { num, den })));
          },
        ),
      );
    });

    // applyRate computes in doubles when rate × base fits below 2^53: it must agree with BigInt
    // arithmetic there, at the edges of that range and just beyond them.
    const SAFE_NUM = 9_007_199_254n;
    const reference = (ppm: bigint, num: bigint, den: bigint) => roundExact(rateTimes(ppm, { num, den }));

    it('agrees with BigInt arithmetic on the bases it computes in doubles', () => {
      const nums = fc.oneof(
        fc.bigInt({ min: -SAFE_NUM, max: SAFE_NUM }),
        fc.bigInt({ min: -20_000_000n, max: 20_000_000n }),
        fc.bigInt({ min: SAFE_NUM - 1000n, max: SAFE_NUM + 1000n }),
        fc.bigInt({ min: -SAFE_NUM - 1000n, max: -SAFE_NUM + 1000n }),
      );
      const dens = fc.oneof(fc.bigInt({ min: 1n, max: 12n }), fc.bigInt({ min: 1n, max: 2_000_000_000n }));
      fc.assert(
        fc.property(fc.bigInt({ min: -PPM, max: PPM }), nums, dens, (ppm, num, den) => {
          expect(applyRate(ppm, { num, den })).toBe(reference(ppm, num, den));
        }),
        { numRuns: 5000 },
      );
    });

    it('rounds exact halves up at the largest bases computed in doubles', () => {
      // 50% of an odd base is a half: it goes away from zero.
      for (const num of [SAFE_NUM, SAFE_NUM - 2n, -SAFE_NUM, SAFE_NUM + 2n]) {
        expect(applyRate(PPM / 2n, exact(num))).toBe(reference(PPM / 2n, num, 1n));
      }
      expect(applyRate(PPM, exact(SAFE_NUM))).toBe(SAFE_NUM);
      expect(applyRate(1n, { num: SAFE_NUM, den: 1_000_000_000n })).toBe(0n);
      expect(applyRate(PPM, { num: 3n, den: 2n })).toBe(2n);
      expect(applyRate(PPM, { num: -3n, den: 2n })).toBe(-2n);
      expect(applyRate(PPM, { num: 5n, den: -2n })).toBe(-3n); // a negative denominator takes the BigInt path
    });
  });

  describe('formatExact', () => {
    it('prints a whole number of minor units with the currency’s decimals', () => {
      expect(formatExact(exact(11980n), 2)).toBe('119.80');
      expect(formatExact(exact(0n), 2)).toBe('0.00');
      expect(formatExact(exact(-11980n), 2)).toBe('-119.80');
    });

    it('prints a terminating fraction of a minor unit with the digits it needs', () => {
      expect(formatExact({ num: 5n, den: 2n }, 2)).toBe('0.025');
      expect(formatExact({ num: 1n, den: -8n }, 2)).toBe('-0.00125');
      expect(formatExact({ num: -7n, den: -2n }, 2)).toBe('0.035');
    });

    it('marks a value that does not terminate with an ellipsis after maxDigits extra digits', () => {
      expect(formatExact({ num: 1n, den: 3n }, 2)).toBe('0.00333333…');
      expect(formatExact({ num: 2n, den: 3n }, 2, 2)).toBe('0.0066…');
    });

    it('prints a 10^13-scale exact product without losing a digit', () => {
      expect(formatExact(rateTimes(parseRate('33.3333%')!, exact(9_999_999_999_999n)), 2)).toBe('33333299999.99666667');
    });
  });
});
