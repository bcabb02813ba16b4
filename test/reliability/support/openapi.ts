import fc from 'fast-check';
import { hostileValue, nastyString, NASTY_INSTANTS, unknownFields } from './hostile.ts';

/** A JSON Schema as the OpenAPI document has it (the parts the generators read). */
export interface Schema {
  readonly type?: string | readonly string[];
  readonly properties?: Record<string, Schema>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly default?: unknown;
  readonly $ref?: string;
}

export interface Parameter {
  readonly in: 'path' | 'query' | 'header';
  readonly name: string;
  readonly required?: boolean;
  readonly schema: Schema;
}

/** One operation of the OpenAPI document: what every fuzz and security test enumerates. */
export interface Operation {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** The path as documented, e.g. /v1/members/{id}. */
  readonly path: string;
  readonly parameters: readonly Parameter[];
  /** The JSON body schema, when the operation documents one. */
  readonly body: Schema | null;
  /** Whether the operation takes a body at all (documented or not, e.g. a CSV upload). */
  readonly takesBody: boolean;
  readonly success: number;
}

export const operationName = (op: Pick<Operation, 'method' | 'path'>): string => `${op.method} ${op.path}`;

/** The operations of an OpenAPI 3.1 document (GET /openapi.json), in document order. */
export function operationsOf(document: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as {
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema?: Schema }> };
        responses: Record<string, unknown>;
      };
      const success =
        Object.keys(op.responses)
          .map(Number)
          .find((status) => status >= 200 && status < 300) ?? 200;
      const upperMethod = method.toUpperCase() as Operation['method'];
      operations.push({
        method: upperMethod,
        path,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content['application/json']?.schema ?? null,
        takesBody: upperMethod === 'POST' || upperMethod === 'PUT' || upperMethod === 'PATCH',
        success,
      });
    }
  }
  return operations;
}

/** Values the fuzzed tenant really has, so that generated requests get past "not found" into the logic. */
export interface KnownIds {
  readonly members: readonly string[];
  readonly orders: readonly string[];
  readonly withdrawals: readonly string[];
  readonly webhooks: readonly string[];
  readonly batches: readonly string[];
  readonly mappings: readonly string[];
  readonly rules: readonly string[];
  readonly tenant: string;
}

const instant = fc.oneof(
  fc
    .date({ min: new Date('2026-03-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(...NASTY_INSTANTS),
);
const money = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }).map((fen) => (fen / 100).toFixed(2)),
  hostileValue,
);
const month = fc.oneof(fc.constantFrom('2026-03', '2026-04', '2026-12', '2026-13', '2026-4', '0000-01'), nastyString);
const day = fc.oneof(fc.constantFrom('2026-03-01', '2026-05-01', '2026-04', '2027-01-01T00:00:00+08:00'), instant);
const small = fc.integer({ min: 1, max: 3 });
const url = fc.oneof(
  fc.constantFrom(
    'https://shop.example/hook',
    'http://127.0.0.1:1/x',
    'ftp://x',
    'javascript:alert(1)',
    'https://[::1]/',
    'file:///etc/passwd',
  ),
  nastyString,
);
const regions = fc.array(fc.oneof(fc.constantFrom('330106', '33', '3301', '999999', '000000'), nastyString), { maxLength: 3 });
const prefixed = (prefix: string) =>
  fc.oneof(
    fc.string({ minLength: 1, maxLength: 8 }).map((s) => `${prefix}-${s}`),
    nastyString,
  );
const oneOf = (values: readonly string[]) => fc.oneof(fc.constantFrom(...values), nastyString);

/**
 * Near-valid values by field name, where the schema alone ("a string") says too little: instants,
 * amounts, months, the tenant's real member, order and withdrawal ids, small sizes for simulations.
 */
const BY_NAME: Readonly<Record<string, (known: KnownIds) => fc.Arbitrary<unknown>>> = {
  ...Object.fromEntries(['at', 'effectiveFrom', 'asOf'].map((name) => [name, () => instant])),
  ...Object.fromEntries(['amount', 'price', 'cost', 'paid'].map((name) => [name, () => money])),
  ...Object.fromEntries(['month', 'start'].map((name) => [name, () => month])),
  ...Object.fromEntries(['from', 'to'].map((name) => [name, () => day])),
  ...Object.fromEntries(
    ['member', 'buyer', 'referrer', 'pickupPoint', 'parent', 'target'].map((name) => [
      name,
      (known: KnownIds) => oneOf(known.members),
    ]),
  ),
  // Simulations: small generated data, so that a run takes milliseconds.
  ...Object.fromEntries(['ordersPerMonth', 'months', 'roots', 'skus'].map((name) => [name, () => small])),
  order: (known) => oneOf(known.orders),
  withdrawal: (known) => fc.oneof(prefixed('fz-w'), fc.constantFrom(...known.withdrawals)),
  adjustment: () => prefixed('fz-adj'),
  rule: (known) => oneOf(known.rules),
  members: (known) =>
    fc.oneof(fc.array(fc.constantFrom(...known.members), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 50 })),
  url: () => url,
  regions: () => regions,
};

function byName(name: string, known: KnownIds): fc.Arbitrary<unknown> | null {
  return Object.hasOwn(BY_NAME, name) ? BY_NAME[name]!(known) : null;
}

/** A value following `schema` (near-valid: the generator picks valid shapes, names guide the strings). */
export function valueOf(schema: Schema, known: KnownIds, name = '', depth = 0): fc.Arbitrary<unknown> {
  const named = byName(name, known);
  if (named && !schema.enum && !schema.anyOf) return named;
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((choice) => valueOf(choice, known, name, depth)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (depth > 6) return fc.constant(null);
  switch (type) {
    case 'object':
      return objectOf(schema, known, depth);
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? 3, min + 3);
      return fc.array(valueOf(schema.items ?? {}, known, name, depth + 1), { minLength: min, maxLength: Math.max(min, max) });
    }
    case 'integer': {
      const min = schema.minimum ?? -1000;
      return fc.integer({ min, max: Math.min(schema.maximum ?? min + 1000, min + 50) });
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      if (schema.format === 'uri') return fc.webUrl();
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 20, 20) });
    case 'null':
      return fc.constant(null);
    default:
      // Unconstrained ({}): plans, payloads, events, anything.
      return fc.jsonValue({ maxDepth: 3 });
  }
}

function objectOf(schema: Schema, known: KnownIds, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, child] of properties) record[key] = valueOf(child, known, key, depth + 1);
  return fc.record(record, { requiredKeys: [...required].filter((key) => key in record) as never[] }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

/** How a near-valid value is broken: one field replaced, removed or added, or the whole value replaced. */
export type Mutation = 'none' | 'replace' | 'delete' | 'extra' | 'whole';

/** Paths to every node of a JSON value (objects and arrays, not deeper than 8). */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (prefix.length >= 8 || value === null || typeof value !== 'object') return out;
  const entries = Array.isArray(value) ? value.map((child, index) => [index, child] as const) : Object.entries(value);
  for (const [key, child] of entries) pathsOf(child, [...prefix, key], out);
  return out;
}

function setAt(
  root: unknown,
  path: readonly (string | number)[],
  change: (parent: Record<string | number, unknown>, key: string | number) => void,
): unknown {
  if (path.length === 0) return root;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  change(node, path[path.length - 1]!);
  return copy;
}

/** A near-valid value broken by one mutation (the arbitrary picks the mutation, where and with what). */
export function mutated(base: fc.Arbitrary<unknown>): fc.Arbitrary<{ mutation: Mutation; value: unknown }> {
  return fc
    .tuple(
      base,
      fc.constantFrom<Mutation>('none', 'replace', 'replace', 'replace', 'delete', 'extra', 'whole'),
      fc.nat(),
      hostileValue,
      unknownFields,
    )
    .map(([value, mutation, pick, hostile, extra]) => {
      const paths = pathsOf(value).filter((path) => path.length > 0);
      const path = paths.length > 0 ? paths[pick % paths.length]! : [];
      switch (mutation) {
        case 'none':
          return { mutation, value };
        case 'whole':
          return { mutation, value: hostile };
        case 'replace':
          return {
            mutation,
            value: path.length === 0 ? hostile : setAt(value, path, (parent, key) => void (parent[key] = hostile)),
          };
        case 'delete':
          return {
            mutation,
            value: setAt(value, path, (parent, key) =>
              Array.isArray(parent) ? parent.splice(Number(key), 1) : void delete parent[key],
            ),
          };
        case 'extra':
          return {
            mutation,
            value:
              value !== null && typeof value === 'object' && !Array.isArray(value)
                ? Object.assign(Object.create(null) as object, value, extra)
                : value,
          };
      }
    });
}
