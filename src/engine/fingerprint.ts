import { fail, type EngineError } from '../domain/errors.ts';

/**
 * The canonical text of an event, for "the same identity with other content is a conflict":
 * field by field, amounts as money (bigint minor units), instants as instants (ms), key order
 * and absent-vs-null ignored.
 */
export function fingerprint(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined && field !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, field]) => [key, canonical(field)]);
    return Object.fromEntries(entries);
  }
  return value;
}

/**
 * DOMAIN.md's identity rule: an event whose identity was seen before is a duplicate when its
 * content is the same and a `conflict` otherwise; null when the identity is new.
 */
export function repeatVerdict(
  known: { readonly fingerprint: string } | undefined, print: string, conflict: string, path: string,
): 'duplicate' | EngineError | null {
  if (!known) return null;
  return known.fingerprint === print ? 'duplicate' : fail('conflict', conflict, [path]);
}
