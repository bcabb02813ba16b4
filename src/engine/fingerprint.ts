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
  const keys = orderedKeys(object);
  out.push('{');
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out.push(',');
    out.push(JSON.stringify(keys[i]), ':');
    if (!write(object[keys[i]!], out)) return false;
  }
  out.push('}');
  return true;
}

/**
 * The keys whose value is neither undefined nor null, in the canonical order: array indices
 * first, ascending, then the others by code unit. Events have a handful of keys, sorted here by
 * insertion (Array.prototype.sort with a comparator was most of a small event's fingerprint).
 */
function orderedKeys(object: Record<string, unknown>): string[] {
  let indices: string[] | null = null;
  const names: string[] = [];
  for (const key of Object.keys(object)) {
    const field = object[key];
    if (field === undefined || field === null) continue;
    if (isArrayIndex(key)) (indices ??= []).push(key);
    else names.push(key);
  }
  sortKeys(names, byCodeUnit);
  if (indices === null) return names;
  sortKeys(indices, byNumber);
  for (const name of names) indices.push(name);
  return indices;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byNumber = (a: string, b: string): number => Number(a) - Number(b);

/** Sorts distinct keys: by insertion when they are few, else as usual (the order is the same). */
function sortKeys(keys: string[], compare: (a: string, b: string) => number): void {
  if (keys.length > 16) {
    keys.sort(compare);
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i;
    for (; j > 0 && compare(keys[j - 1]!, key) > 0; j--) keys[j] = keys[j - 1]!;
    keys[j] = key;
  }
}

/** Whether a key is an array index ("0" … "4294967294"), which objects order first. */
function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  // Most keys are names: a digit first is rare, and the test below needs one.
  if (!(first >= 48 && first <= 57)) return false;
  return /^(0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;
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
  known: { readonly fingerprint: string } | undefined,
  print: string,
  conflict: string,
  path: string,
): 'duplicate' | EngineError | null {
  if (!known) return null;
  return known.fingerprint === print ? 'duplicate' : fail('conflict', conflict, [path]);
}

/**
 * The identity rule for an identity whose whole event is kept (orders, refunds): both events are
 * fingerprinted only when the identity comes again, so a new event costs no fingerprint.
 */
export function repeatOfKept(known: unknown, event: unknown, conflict: string, path: string): 'duplicate' | EngineError {
  return contentPrint(known) === contentPrint(event) ? 'duplicate' : fail('conflict', conflict, [path]);
}

/** The fingerprint of a parsed event's content as identity compares it (see comparable). */
export function contentPrint(event: unknown): string {
  return fingerprint(comparable(event));
}

/**
 * An order's or a refund's content as identity compares it. Its lines are a set keyed by line
 * number (unique within the event): the same lines listed in another order (a shop serialising
 * from a map) are the same content. A paid line without `cost` is priced as one that costs 0
 * (order-awards.ts), so writing `cost: "0.00"` out is the same content too.
 */
function comparable(event: unknown): unknown {
  const { type, lines } = (event ?? {}) as { type?: unknown; lines?: unknown };
  if (!Array.isArray(lines)) return event;
  let same = lines as { line: number; cost?: unknown }[];
  if (type === 'order.paid')
    same = same.map((line) => (line.cost === undefined || line.cost === null ? { ...line, cost: 0n } : line));
  if (same.length > 1) same = [...same].sort((a, b) => a.line - b.line);
  return same === lines ? event : { ...(event as object), lines: same };
}
