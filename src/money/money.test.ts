import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyDecimals, divFloor, divRoundHalfUp, formatMoney, maxBig, minBig, parseMoney } from './money.ts';

/** DOMAIN.md, "Money": decimal strings in, integer minor units inside, half-up rounding, exact to 10^13. */
describe('money', () => {
  describe('parseMoney', () => {
    it('reads a decimal string as an integer count of minor units', () => {
      expect(parseMoney('119.80', 2)).toBe(11980n);
      expect(parseMoney('0.01', 2)).toBe(1n);
      expect(parseMoney('0', 2)).toBe(0n);
    });

    it('pads missing minor digits with zeros', () => {
      expect(parseMoney('119.8', 2)).toBe(11980n);
      expect(parseMoney('119', 2)).toBe(11900n);
    });

    it('reads negative and explicitly positive amounts', () => {
      expect(parseMoney('-5.50', 2)).toBe(-550n);
      expect(parseMoney('-0.01', 2)).toBe(-1n);
      expect(parseMoney('+3', 2)).toBe(300n);
    });

    it('accepts extra decimals only when they are zeros', () => {
      expect(parseMoney('5.000', 2)).toBe(500n);
      expect(parseMoney('5.10000000', 2)).toBe(510n);
      expect(parseMoney('5.001', 2)).toBeNull();
      expect(parseMoney('5.0000001', 2)).toBeNull();
    });

    it('ignores surrounding whitespace', () => {
      expect(parseMoney('  12.30 ', 2)).toBe(1230n);
    });

    it.each(['', ' ', 'abc', '1.', '.5', '1,000.00', '1e3', '12.3.4', '--1', '+-1', '¥12', '12 .30', 'NaN', 'Infinity', '0x10'])(
      'refuses the malformed amount %j',
      (text) => {
        expect(parseMoney(text, 2)).toBeNull();
      },
    );

    it('reads a currency without minor unit (decimals = 0), where any non-zero fraction is malformed', () => {
      expect(parseMoney('1500', 0)).toBe(1500n);
      expect(parseMoney('1500.000', 0)).toBe(1500n);
      expect(parseMoney('1500.5', 0)).toBeNull();
    });

    it('keeps amounts of 10^13 minor units and beyond exact', () => {
      expect(parseMoney('100000000000.00', 2)).toBe(10n ** 13n);
      expect(parseMoney('99999999999.99', 2)).toBe(9_999_999_999_999n);
      expect(parseMoney('12345678901234567.89', 2)).toBe(1_234_567_890_123_456_789n);
      expect(parseMoney('-99999999999.99', 2)).toBe(-9_999_999_999_999n);
    });
  });

  describe('formatMoney', () => {
    it('writes minor units as a decimal string with exactly the currency’s decimals', () => {
      expect(formatMoney(11980n, 2)).toBe('119.80');
      expect(formatMoney(0n, 2)).toBe('0.00');
      expect(formatMoney(1n, 2)).toBe('0.01');
      expect(formatMoney(100n, 2)).toBe('1.00');
    });

    it('writes negative amounts with a leading minus, also below one major unit', () => {
      expect(formatMoney(-550n, 2)).toBe('-5.50');
      expect(formatMoney(-5n, 2)).toBe('-0.05');
    });

    it('writes a currency without minor unit as a whole number', () => {
      expect(formatMoney(1500n, 0)).toBe('1500');
      expect(formatMoney(-7n, 0)).toBe('-7');
      expect(formatMoney(0n, 0)).toBe('0');
    });

    it('writes 10^13-scale amounts exactly', () => {
      expect(formatMoney(10n ** 13n, 2)).toBe('100000000000.00');
      expect(formatMoney(9_999_999_999_999n, 2)).toBe('99999999999.99');
      expect(formatMoney(-1_234_567_890_123_456_789n, 2)).toBe('-12345678901234567.89');
    });

    it('round-trips with parseMoney for any integer amount', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.constantFrom(0, 2, 3), (amount, decimals) => {
          expect(parseMoney(formatMoney(amount, decimals), decimals)).toBe(amount);
        }),
      );
    });
  });

  describe('divRoundHalfUp (四舍五入)', () => {
    it('rounds a positive half up', () => {
      expect(divRoundHalfUp(5n, 2n)).toBe(3n); // 2.5
      expect(divRoundHalfUp(1n, 2n)).toBe(1n); // 0.5
      expect(divRoundHalfUp(15n, 10n)).toBe(2n); // 1.5
    });

    it('rounds a negative half away from zero', () => {
      expect(divRoundHalfUp(-5n, 2n)).toBe(-3n); // -2.5
      expect(divRoundHalfUp(-1n, 2n)).toBe(-1n); // -0.5
      expect(divRoundHalfUp(5n, -2n)).toBe(-3n);
      expect(divRoundHalfUp(-5n, -2n)).toBe(3n);
    });

    it('rounds below a half down and above a half up, in both signs', () => {
      expect(divRoundHalfUp(14n, 10n)).toBe(1n);
      expect(divRoundHalfUp(16n, 10n)).toBe(2n);
      expect(divRoundHalfUp(-14n, 10n)).toBe(-1n);
      expect(divRoundHalfUp(-16n, 10n)).toBe(-2n);
      expect(divRoundHalfUp(4999n, 10000n)).toBe(0n);
      expect(divRoundHalfUp(5000n, 10000n)).toBe(1n);
    });

    it('leaves an exact quotient as it is', () => {
      expect(divRoundHalfUp(100n, 4n)).toBe(25n);
      expect(divRoundHalfUp(0n, 7n)).toBe(0n);
      expect(divRoundHalfUp(-100n, 4n)).toBe(-25n);
    });

    it('is symmetric: rounding −x gives −(rounding x)', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), fc.bigInt({ min: 1n, max: 10n ** 9n }), (n, d) => {
          expect(divRoundHalfUp(-n, d)).toBe(-divRoundHalfUp(n, d));
        }),
      );
    });

    it('is within half a unit of the exact quotient, and a half goes away from zero', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), fc.bigInt({ min: 1n, max: 10n ** 9n }), (n, d) => {
          const q = divRoundHalfUp(n, d);
          const twiceError = 2n * (q * d - n); // 2·(q − n/d)·d
          expect(twiceError <= d && twiceError >= -d).toBe(true);
          if (twiceError === d) expect(n > 0n).toBe(true); // rounded up past a positive half
          if (twiceError === -d) expect(n < 0n).toBe(true); // rounded down past a negative half
        }),
      );
    });

    it('refuses a division by zero', () => {
      expect(() => divRoundHalfUp(1n, 0n)).toThrow(RangeError);
    });
  });

  describe('divFloor', () => {
    it('floors a non-negative quotient', () => {
      expect(divFloor(7n, 2n)).toBe(3n);
      expect(divFloor(0n, 3n)).toBe(0n);
    });

    it('refuses negative numerators and non-positive denominators', () => {
      expect(() => divFloor(-1n, 2n)).toThrow(RangeError);
      expect(() => divFloor(1n, 0n)).toThrow(RangeError);
    });
  });

  it('minBig and maxBig pick the smaller and the larger bigint', () => {
    expect(minBig(-3n, 2n)).toBe(-3n);
    expect(maxBig(-3n, 2n)).toBe(2n);
  });

  it('knows the minor digits of common currencies and defaults to 2', () => {
    expect(currencyDecimals('CNY')).toBe(2);
    expect(currencyDecimals('JPY')).toBe(0);
    expect(currencyDecimals('XYZ')).toBe(2);
  });
});
