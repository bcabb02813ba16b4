import { instantValue } from '../schema/primitives.ts';
import { ApiError } from './errors.ts';

/**
 * An instant a request names (`effectiveFrom`, `asOf`, `at`, a report's `from`), read as events
 * read theirs: ISO 8601, with its offset, or without one (a bare date is its midnight) in the
 * tenant's time zone. Anything else ("Dec 5 2026", "12/07/2026") is a 400 naming the field.
 */
export function instantParam(text: string, zone: string, field: string): number {
  const value = instantValue(text, zone);
  if (typeof value === 'number') return value;
  throw new ApiError(400, 'invalid', `${field}: ${value.refused}`, [field]);
}
