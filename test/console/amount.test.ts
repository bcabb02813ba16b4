import { describe, expect, it } from 'vitest';
import {
  amountText,
  isAmountTooLarge,
  isZeroAmount,
  MAX_AMOUNT_MINOR,
  maxAmountText,
  negatedAmount,
} from '../../console/src/lib/format.ts';
import { MAX_AMOUNT } from '../../src/schema/primitives.ts';

/** The console reads a typed amount as text, never as a float (the adjustment form). */
describe('amountText', () => {
  it('writes an amount with the currency’s decimals', () => {
    expect(amountText('12.34', 2)).toBe('12.34');
    expect(amountText(' 5 ', 2)).toBe('5.00');
    expect(amountText('012.3', 2)).toBe('12.30');
    expect(amountText('0.1', 2)).toBe('0.10');
    expect(amountText('0', 2)).toBe('0.00');
    expect(amountText('1500', 0)).toBe('1500');
    expect(amountText('1.005', 3)).toBe('1.005');
    // Digits beyond a float's precision are kept as written.
    expect(amountText('9007199254740993.99', 2)).toBe('9007199254740993.99');
  });

  it('refuses what is not an amount of the currency', () => {
    for (const text of ['', '12.345', '-5', '+5', '1,000.00', '1e3', '.5', '5.', '１２', 'NaN', '0x10', '12.3.4', '12 34'])
      expect(amountText(text, 2), text).toBeNull();
    expect(amountText('12.5', 0)).toBeNull();
    expect(amountText('12345678901234567', 2)).toBeNull();
  });

  it('tells zero from other amounts', () => {
    expect(isZeroAmount('0.00')).toBe(true);
    expect(isZeroAmount('0')).toBe(true);
    expect(isZeroAmount('0.01')).toBe(false);
    expect(isZeroAmount('10.00')).toBe(false);
  });

  it('knows the largest amount the API takes, the same as the server', () => {
    expect(MAX_AMOUNT_MINOR).toBe(MAX_AMOUNT);
    expect(maxAmountText(2)).toBe('10000000000000.00');
    expect(maxAmountText(0)).toBe('1000000000000000');
    expect(isAmountTooLarge('10000000000000.00')).toBe(false);
    expect(isAmountTooLarge('10000000000000.01')).toBe(true);
    expect(isAmountTooLarge('9999999999999999.99')).toBe(true);
    expect(isAmountTooLarge('1000000000000001')).toBe(true);
  });

  it('turns the sign of an amount as text', () => {
    expect(negatedAmount('-12.30')).toBe('12.30');
    expect(negatedAmount('12.30')).toBe('-12.30');
    expect(negatedAmount('0.00')).toBe('0.00');
    expect(negatedAmount('-9007199254740993.99')).toBe('9007199254740993.99');
  });
});
