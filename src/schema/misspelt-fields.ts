import { z } from 'zod';

/**
 * Field names a schema takes, nested lists and objects included (an order's lines, a joining
 * member), read off the zod schema itself so that the two never disagree.
 */
export interface KnownFields {
  readonly own: ReadonlySet<string>;
  readonly nested: ReadonlyMap<string, KnownFields>;
}

/** The fields of each option of a union discriminated by `type`, by type. */
export function knownFieldsByType(options: readonly z.ZodType[]): Map<string, KnownFields> {
  const byType = new Map<string, KnownFields>();
  for (const option of options) {
    const fields = fieldsOf(option);
    const type = shapeOf(option)?.type;
    const literal = type ? (type as z.ZodLiteral).value : undefined;
    if (fields && typeof literal === 'string') byType.set(literal, fields);
  }
  return byType;
}

/** The fields of one object schema (null for a schema that is not an object). */
export function fieldsOf(schema: z.ZodType): KnownFields | null {
  const shape = shapeOf(schema);
  if (!shape) return null;
  const nested = new Map<string, KnownFields>();
  for (const [name, field] of Object.entries(shape)) {
    const inner = fieldsOf(listElement(field) ?? field);
    if (inner) nested.set(name, inner);
  }
  return { own: new Set(Object.keys(shape)), nested };
}

/** The object shape behind optional, nullable, default and transform wrappers; null for anything else. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | null {
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : null;
}

function listElement(schema: z.ZodType): z.ZodType | null {
  const inner = unwrap(schema);
  return inner instanceof z.ZodArray ? (inner.element as z.ZodType) : null;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 8; depth++) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault)
      current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else return current;
  }
  return current;
}

/**
 * A field that looks like a misspelling of one the schema takes (`referer`, `pickup_point`,
 * `catgory`), with the one it meant: such a field would be ignored as an unknown extra, and the
 * order priced without its referrer or its category, for good (a corrected resend is a conflict).
 * Extra fields unlike any known one (a shop's own metadata) stay ignored.
 */
export function misspeltField(raw: unknown, known: KnownFields): { path: (string | number)[]; message: string } | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  for (const key in raw) {
    const value = (raw as Record<string, unknown>)[key];
    if (known.own.has(key)) {
      const nested = known.nested.get(key);
      if (nested === undefined) continue;
      // The path is made only for a field found (most events have none): no array per line.
      if (!Array.isArray(value)) {
        const found = misspeltField(value, nested);
        if (found) return { path: [key, ...found.path], message: found.message };
        continue;
      }
      for (let index = 0; index < value.length; index++) {
        const found = misspeltField(value[index], nested);
        if (found) return { path: [key, index, ...found.path], message: found.message };
      }
      continue;
    }
    const meant = closest(key, known.own);
    if (meant !== null && !(meant in raw))
      return { path: [key], message: `unknown field "${key}": did you mean "${meant}"? (a misspelt field is not read)` };
  }
  return null;
}

function closest(key: string, names: ReadonlySet<string>): string | null {
  const plain = normalized(key);
  for (const name of names) {
    if (normalized(name) === plain) return name;
    const limit = Math.min(key.length, name.length) >= 9 ? 2 : 1;
    if (Math.min(key.length, name.length) >= 4 && editDistance(plain, normalized(name), limit) <= limit) return name;
  }
  return null;
}

const normalized = (name: string): string => name.toLowerCase().replace(/[_-]/g, '');

/** Edits (insert, delete, substitute, swap two neighbours) from a to b, or limit + 1 once above it. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
