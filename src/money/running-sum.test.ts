import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addToSum, sumValue } from './running-sum.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

describe('running sums', () => {
  it('add like BigInts, whatever the sizes', () => {
    const amounts = fc.oneof(
      fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
      fc.bigInt({ min: MAX_SAFE - 10n, max: MAX_SAFE + 10n }),
      fc.bigInt({ min: -MAX_SAFE - 10n, max: -MAX_SAFE + 10n }),
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
    );
    fc.assert(
      fc.property(fc.array(amounts, { maxLength: 20 }), (list) => {
        let sum: number | bigint = 0;
        let expected = 0n;
        for (const amount of list) {
          sum = addToSum(sum, amount);
          expected += amount;
          expect(sumValue(sum)).toBe(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('stays a number while the sum is a safe integer, and becomes a bigint beyond', () => {
    expect(addToSum(0, 11980n)).toBe(11980);
    expect(addToSum(Number.MAX_SAFE_INTEGER - 1, 1n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(addToSum(Number.MAX_SAFE_INTEGER, 1n)).toBe(MAX_SAFE + 1n);
    expect(addToSum(0, MAX_SAFE + 1n)).toBe(MAX_SAFE + 1n);
    expect(addToSum(MAX_SAFE + 1n, -1n)).toBe(MAX_SAFE);
  });
});
