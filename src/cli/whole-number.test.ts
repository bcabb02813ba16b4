import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.ts';
import { optionalWholeNumber, wholeNumber } from './whole-number.ts';

describe('wholeNumber', () => {
  it('reads digits, with underscores between them as in 100_000', () => {
    expect(wholeNumber('500', 'limit')).toBe(500);
    expect(wholeNumber('100_000', 'members')).toBe(100_000);
    expect(wholeNumber(' 7 ', 'seed')).toBe(7);
  });

  it('refuses what is not a whole number, naming the option and what it takes', () => {
    for (const text of ['abc', '3x', '1.5', '', '1e3', '0x10']) {
      expect(() => wholeNumber(text, 'limit', { min: 1, max: 100 })).toThrow(InputError);
    }
    expect(() => wholeNumber('abc', 'limit', { min: 1, max: 100 })).toThrow(
      '--limit must be a whole number from 1 to 100, not "abc"',
    );
  });

  it('refuses a number outside the range', () => {
    expect(() => wholeNumber('0', 'limit', { min: 1 })).toThrow('--limit must be a whole number 1 or more, not "0"');
    expect(() => wholeNumber('101', 'limit', { max: 100 })).toThrow('from 0 to 100');
    expect(() => wholeNumber('-1', 'seed')).toThrow(InputError);
  });

  it('takes the fallback only when the option is left out', () => {
    expect(optionalWholeNumber(undefined, 'periods', 3)).toBe(3);
    expect(() => optionalWholeNumber('', 'periods', 3)).toThrow(InputError);
  });
});
