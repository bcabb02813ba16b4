import { fail, type EngineError } from '../domain/errors.ts';

/**
 * The canonical text of an event, for "the same identity with other content is a conflict":
 * field by field, amounts as money (bigint minor units), instants as instants (ms), key order
 * and absent-vs-null ignored.
 */
export function fingerprint(value: unknown): string {
  return canonicalText(value) ?? JSON.stringify(canonical(value));
}

/**
 * The same text written directly, for the plain data events are (a refund's fingerprint is kept,
 * and building the canonical copy first was most of a refund's time): null when `value` holds
 * anything else (a function, a symbol, a `toJSON`), which the general path above handles.
 * Keys as Object.fromEntries then JSON.stringify order them: array indices first, ascending,
 * then the other keys in sorted order.
 */
function canonicalText(value: unknown): string | null {
  const parts: string[] = [];
  return write(value, parts) ? parts.join('') : null;
}

/** Appends the canonical JSON of `value` to `out`; false when it cannot (see canonicalText). */
function write(value: unknown, out: string[]): boolean {
  switch (typeof value) {
    case 'bigint':
      out.push(`"${value}n"`);
      return true;
    case 'string':
    case 'number':
    case 'boolean':
      out.push(JSON.stringify(value));
      return true;
    case 'object':
      if (value === null) {
        out.push('null');
        return true;
      }
      return Array.isArray(value) ? writeArray(value, out) : writeObject(value as Record<string, unknown>, out);
    default:
      return false;
  }
}

function writeArray(values: readonly unknown[], out: string[]): boolean {
  out.push('[');
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out.push(',');
    const element = values[i];
    if (element === undefined) out.push('null');
    else if (!write(element, out)) return false;
  }
  out.push(']');
  return true;
}

function writeObject(object: Record<string, unknown>, out: string[]): boolean {
  if ('toJSON' in object) return false;
  const keys = Object.keys(object).filter((key) => object[key] !== undefined && object[key] !== null);
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const indices = keys.filter(isArrayIndex);
  if (indices.length > 0) {
    indices.sort((a, b) => Number(a) - Number(b));
    keys.splice(0, keys.length, ...indices, ...keys.filter((key) => !isArrayIndex(key)));
  }
  out.push('{');
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out.push(',');
    out.push(JSON.stringify(keys[i]), ':');
    if (!write(object[keys[i]!], out)) return false;
  }
  out.push('}');
  return true;
}

/** Whether a key is an array index ("0" … "4294967294"), which objects order first. */
const isArrayIndex = (key: string): boolean => /^(0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;

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
  known: { readonly fingerprint: string } | undefined,
  print: string,
  conflict: string,
  path: string,
): 'duplicate' | EngineError | null {
  if (!known) return null;
  return known.fingerprint === print ? 'duplicate' : fail('conflict', conflict, [path]);
}
