import jsonata from 'jsonata';
import { withIdempotencyId } from '../client/ids.ts';
import type { SchemaContext } from '../engine/templates/template.ts';
import { eventReader, type EventReader } from '../schema/events.ts';
import { registerMoneyFunctions } from './functions.ts';
import type { SentEventType } from '../domain/event-types.ts';

/**
 * A payload mapping: a tenant's JSONata expression that turns one webhook payload of its shop
 * (an order paid, completed or refunded, a member signing up) into fenyong events. The expression
 * sees the payload as its input, `$headers` (the request headers, names in lower case) and
 * `$mapping` (its own name), and the exact money functions of functions.ts. It answers one event,
 * an array of events, or nothing (a payload it ignores, e.g. a topic the plan does not use).
 * Every event it makes is checked with the engine's own event schema (src/schema/events.ts).
 */

/** What a shop's webhook may cause: sales and sign-ups, never a manual or money-out act. */
export const MAPPABLE_TYPES = [
  'order.paid',
  'order.completed',
  'order.refunded',
  'member.joined',
  'member.moved',
  'member.promoted',
  'member.regions_set',
] as const satisfies readonly SentEventType[];

export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface MappingSample {
  readonly name: string;
  /** Request headers the shop sends with it (e.g. Shopify's X-Shopify-Topic). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly payload: unknown;
  /** The native events the sample must map to (compared as the engine reads them). */
  readonly expect?: unknown[];
}

/** A refused mapping or payload: always `invalid`, naming the mapping, the sample and the field. */
export class MappingError extends Error {
  readonly code = 'invalid' as const;
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
    this.name = 'MappingError';
  }
}

const LIMITS = { timeout: 1000, stack: 500, sequence: 100_000 };
const schemas = new Map<string, EventReader>();

function schemaFor(context: SchemaContext): EventReader {
  const key = `${context.decimals}|${context.timezone}`;
  let schema = schemas.get(key);
  if (!schema) schemas.set(key, (schema = eventReader(context)));
  return schema;
}

export class CompiledMapping {
  private constructor(
    readonly name: string,
    private readonly expression: jsonata.Expression,
    private readonly context: SchemaContext,
  ) {}

  /** Compiles `text`; a syntax error is refused with its position. */
  static compile(name: string, text: string, context: SchemaContext): CompiledMapping {
    let expression: jsonata.Expression;
    try {
      expression = jsonata(text, LIMITS as jsonata.JsonataOptions);
    } catch (error) {
      throw new MappingError(`mapping "${name}": the expression does not compile: ${describeJsonataError(error)}`, [
        'expression',
      ]);
    }
    registerMoneyFunctions(expression, context.decimals);
    return new CompiledMapping(name, expression, context);
  }

  /**
   * Maps one payload to its events, each checked against the event schema and given an id when
   * it needs one to be idempotent (ids.ts). `where` names the input in messages ("sample \"x\"",
   * "the payload"); `path` prefixes the paths of errors.
   */
  async map(
    payload: unknown,
    headers: Readonly<Record<string, string>>,
    where: string,
    path: (string | number)[] = [],
  ): Promise<Record<string, unknown>[]> {
    const label = `mapping "${this.name}", ${where}`;
    let output: unknown;
    try {
      output = await this.expression.evaluate(payload, { headers: lowerCaseKeys(headers), mapping: this.name });
    } catch (error) {
      throw new MappingError(`${label}: the expression failed: ${describeJsonataError(error)}`, [...path, 'expression']);
    }
    const events = normalise(output);
    const checked: Record<string, unknown>[] = [];
    for (const [index, event] of events.entries()) {
      const at = [...path, 'events', index];
      if (event === null || typeof event !== 'object' || Array.isArray(event)) {
        throw new MappingError(`${label}: event ${index} is ${JSON.stringify(event)}, not an object`, at);
      }
      const record = event as Record<string, unknown>;
      const type = record.type;
      if (typeof type !== 'string' || !(MAPPABLE_TYPES as readonly string[]).includes(type)) {
        throw new MappingError(
          `${label}: event ${index} has type ${JSON.stringify(type)}; a mapping makes ${MAPPABLE_TYPES.join(', ')}`,
          [...at, 'type'],
        );
      }
      const parsed = schemaFor(this.context).safeParse(record);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
        const value = valueAt(record, field);
        throw new MappingError(
          `${label}: event ${index} (${type}), field ${field.join('.') || '(the event)'}: ` +
            (value === undefined
              ? 'missing: the expression gave no value (is the payload field missing or misspelt?)'
              : `${issue.message} (got ${JSON.stringify(value)})`),
          [...at, ...field],
        );
      }
      checked.push(await withIdempotencyId(record));
    }
    return checked;
  }

  /** The events as the engine reads them (amounts as minor units, instants as ms), for comparisons. */
  parsed(event: unknown): unknown {
    const result = schemaFor(this.context).safeParse(event);
    return result.success ? comparable(result.data) : undefined;
  }

  /**
   * Runs every sample (save time): each must map to valid events, equal to its `expect` when it
   * has one. Answers the events of each sample.
   */
  async check(samples: readonly MappingSample[]): Promise<{ name: string; events: Record<string, unknown>[] }[]> {
    const results: { name: string; events: Record<string, unknown>[] }[] = [];
    for (const [index, sample] of samples.entries()) {
      const where = `sample "${sample.name}"`;
      const events = await this.map(sample.payload, sample.headers ?? {}, where, ['samples', index]);
      if (sample.expect) {
        const expected = sample.expect.map((event, i) => {
          const value = this.parsed(event);
          if (value === undefined)
            throw new MappingError(`mapping "${this.name}", ${where}: expect[${i}] is not a valid event`, [
              'samples',
              index,
              'expect',
              i,
            ]);
          return value;
        });
        const got = events.map((event) => this.parsed(event));
        if (got.length !== expected.length) {
          throw new MappingError(
            `mapping "${this.name}", ${where}: makes ${got.length} events, the sample expects ${expected.length}`,
            ['samples', index, 'events'],
          );
        }
        for (const [i, value] of got.entries()) {
          const diff = firstDifference(value, expected[i], []);
          if (diff) {
            const shown = (raw: unknown, fallback: unknown) => JSON.stringify(valueAt(raw, diff.path) ?? fallback) ?? 'nothing';
            throw new MappingError(
              `mapping "${this.name}", ${where}: event ${i}, field ${diff.path.join('.') || '(the event)'}: got ${shown(events[i], diff.got)}, the sample expects ${shown(sample.expect[i], diff.want)}`,
              ['samples', index, 'events', i, ...diff.path],
            );
          }
        }
      }
      results.push({ name: sample.name, events });
    }
    return results;
  }
}

function normalise(output: unknown): unknown[] {
  if (output === undefined || output === null) return [];
  // JSONata sequences carry extra flags: a JSON round trip leaves plain data.
  const plain = JSON.parse(JSON.stringify(output)) as unknown;
  return Array.isArray(plain) ? plain.flat() : [plain];
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

function valueAt(record: unknown, path: readonly (string | number)[]): unknown {
  let value = record;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function describeJsonataError(error: unknown): string {
  const e = error as { message?: string; position?: number; token?: string; code?: string };
  const message = e.message ?? String(error);
  return e.position !== undefined && e.code !== 'FENYONG_MONEY' ? `${message} (at character ${e.position})` : message;
}

function comparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))) as unknown;
}

function firstDifference(
  got: unknown,
  want: unknown,
  path: (string | number)[],
): { path: (string | number)[]; got: unknown; want: unknown } | null {
  if (got === want) return null;
  if (got && want && typeof got === 'object' && typeof want === 'object') {
    if (Array.isArray(got) !== Array.isArray(want)) return { path, got, want };
    const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
    for (const key of [...keys].sort()) {
      const part = Array.isArray(got) ? Number(key) : key;
      const diff = firstDifference((got as Record<string, unknown>)[key], (want as Record<string, unknown>)[key], [
        ...path,
        part,
      ]);
      if (diff) return diff;
    }
    return null;
  }
  return { path, got, want };
}
