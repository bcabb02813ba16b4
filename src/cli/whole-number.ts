import { fail, InputError } from '../domain/errors.ts';

export interface WholeNumberRange {
  readonly min?: number;
  readonly max?: number;
}

/**
 * The value of a whole-number option (`--limit 500`, `--members 100_000`), or an InputError
 * naming the option and the range it takes: a typo is refused, never read as a default.
 */
export function wholeNumber(text: string, name: string, range: WholeNumberRange = {}): number {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const value = /^[+-]?[0-9][0-9_]*$/.test(text.trim()) ? Number(text.trim().replace(/_/g, '')) : Number.NaN;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  const bounds = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
  throw new InputError(fail('invalid', `--${name} must be a whole number ${bounds}, not "${text}"`));
}

/** The same for an option that may be left out: `fallback` then. */
export function optionalWholeNumber(text: string | undefined, name: string, fallback: number, range?: WholeNumberRange): number {
  return text === undefined ? fallback : wholeNumber(text, name, range);
}
