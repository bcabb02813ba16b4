import { z } from 'zod';
import { DISTRIBUTOR_ROLES, type EngineEvent, type MemberInput, type OrderLineInput } from '../domain/types.ts';
import type { SchemaContext } from '../engine/templates/template.ts';
import { knownFieldsByType, misspeltField, type KnownFields } from './misspelt-fields.ts';
import {
  category,
  count,
  id,
  instant,
  instantValue,
  level,
  MAX_COUNT,
  MAX_ID_LENGTH,
  MAX_ORDER_LINES,
  money,
  moneyValue,
  positiveCount,
} from './primitives.ts';

export const ROLES = [...DISTRIBUTOR_ROLES, 'customer'] as const;
const regionCode = z.union([z.string(), z.number().int()]).transform((code) => String(code));
/** A code a member holds: 2 digits a province, 4 a city, 6 a district. Malformed is a fault of shape. */
export const HELD_REGION_CODE = /^(\d{2}|\d{4}|\d{6})$/;
const heldRegionCode = regionCode.pipe(
  z.string().regex(HELD_REGION_CODE, 'a region code is 2 (province), 4 (city) or 6 (district) digits, e.g. "33", "3301"'),
);

/** An optional field that may also be sent as null (`cost: ~` in YAML, `null` in JSON): absent. */
const absentIfNull = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

export function memberSchema(context: SchemaContext): z.ZodType<MemberInput> {
  void context;
  return z.object({
    id,
    role: z.enum(ROLES),
    level: absentIfNull(level),
    parent: id.nullable().optional(),
    regions: absentIfNull(z.array(heldRegionCode)),
  }) as z.ZodType<MemberInput>;
}

/**
 * Every event's shape. Unknown extra fields are ignored, unless one looks like a misspelling of a
 * known one (eventReader); a missing or mistyped one is `invalid`.
 */
export function eventSchema(context: SchemaContext): z.ZodType<EngineEvent> {
  const at = instant(context.timezone);
  return z.discriminatedUnion('type', [
    ...orderEventSchemas(context, at),
    ...memberEventSchemas(context, at),
    withdrawalRequestedSchema(context, at),
    z.object({ type: z.literal('tick'), at }),
    ...withdrawalDecisionSchemas(at),
    adjustmentSchema(context, at),
  ]) as unknown as z.ZodType<EngineEvent>;
}

/** The instant field of every event, read in the tenant time zone. */
type At = ReturnType<typeof instant>;

/** order.paid, order.completed and order.refunded. */
function orderEventSchemas(context: SchemaContext, at: At) {
  const amount = money(context.decimals);
  const line = z.object({
    line: z.coerce.number().int().min(0),
    sku: id,
    category: absentIfNull(category),
    qty: positiveCount,
    paid: amount,
    cost: absentIfNull(amount),
  });
  const refundLine = z.object({ line: z.coerce.number().int().min(0), qty: count, amount });
  return [
    z.object({
      type: z.literal('order.paid'),
      at,
      order: id,
      buyer: id,
      referrer: absentIfNull(id),
      pickupPoint: absentIfNull(id),
      region: absentIfNull(
        regionCode.pipe(z.string().regex(/^\d{6}$/, 'an order\'s region is a 6-digit district code (GB/T 2260), e.g. "330106"')),
      ),
      lines: z
        .array(line)
        .min(1, 'an order has at least one line')
        .max(MAX_ORDER_LINES, `an order has at most ${MAX_ORDER_LINES} lines`)
        .refine(uniqueLines, 'line numbers must be unique'),
    }),
    z.object({ type: z.literal('order.completed'), at, order: id }),
    z.object({
      type: z.literal('order.refunded'),
      at,
      order: id,
      refund: id,
      lines: z
        .array(refundLine)
        .min(1, 'a refund names at least one line')
        .max(MAX_ORDER_LINES, `a refund names at most ${MAX_ORDER_LINES} lines`)
        .refine(uniqueLines, 'line numbers must be unique')
        .refine((lines) => lines.some((l) => l.qty > 0 || l.amount > 0n), 'a refund must refund a quantity or an amount'),
    }),
  ] as const;
}

/** member.joined, member.moved, member.promoted, member.level_set and member.regions_set. */
function memberEventSchemas(context: SchemaContext, at: At) {
  return [
    z.object({ type: z.literal('member.joined'), at, member: memberSchema(context) }),
    z.object({ type: z.literal('member.moved'), at, member: id, parent: id.nullable() }),
    z.object({
      type: z.literal('member.promoted'),
      at,
      member: id,
      role: z.enum(DISTRIBUTOR_ROLES).default('leader'),
      level: level.default(1),
    }),
    z.object({ type: z.literal('member.level_set'), at, member: id, level }),
    z.object({ type: z.literal('member.regions_set'), at, member: id, regions: z.array(heldRegionCode) }),
  ] as const;
}

function withdrawalRequestedSchema(context: SchemaContext, at: At) {
  return z.object({
    type: z.literal('withdrawal.requested'),
    at,
    withdrawal: id,
    member: id,
    // Zero is a well-formed amount below every plan's minimum (at least one minor unit): the
    // engine answers below_minimum with the minimum, which tells the member more than invalid.
    amount: money(context.decimals),
  });
}

/** The decisions on a requested withdrawal: approved, rejected, paid or failed, each with an optional note. */
function withdrawalDecisionSchemas(at: At) {
  return (['withdrawal.approved', 'withdrawal.rejected', 'withdrawal.paid', 'withdrawal.failed'] as const).map((type) =>
    z.object({
      type: z.literal(type),
      at,
      withdrawal: id,
      note: z.string().max(500).optional(),
      by: z.string().max(128).optional(),
    }),
  );
}

function adjustmentSchema(context: SchemaContext, at: At) {
  return z.object({
    type: z.literal('adjustment.posted'),
    at,
    adjustment: id,
    member: id,
    amount: money(context.decimals, { allowNegative: true }).refine((amount) => amount !== 0n, 'an adjustment must not be zero'),
    reason: z.string().trim().min(1, 'a manual adjustment needs a reason').max(500),
    by: z.string().max(128).optional(),
  });
}

/** A misspelt field of a raw event of a known type (see misspeltField); null for any other. */
function misspeltFieldOf(raw: unknown, fields: ReadonlyMap<string, KnownFields>): ReturnType<typeof misspeltField> {
  if (!isObject(raw) || typeof raw.type !== 'string') return null;
  const known = fields.get(raw.type);
  return known === undefined ? null : misspeltField(raw, known);
}

/** Reads raw events into engine events: what eventSchema makes of them, errors included. */
export interface EventReader {
  safeParse(raw: unknown): z.ZodSafeParseResult<EngineEvent>;
}

/**
 * The event schema, with order events of the usual form read directly (readOrderEvent: the same
 * result, a tenth of the CPU); zod reads the rest, and its answers stay the one reference.
 */
export function eventReader(context: SchemaContext): EventReader {
  const schema = eventSchema(context);
  const fields = knownFieldsByType((schema as unknown as z.ZodDiscriminatedUnion).options as z.ZodType[]);
  return {
    safeParse(raw) {
      const misspelt = misspeltFieldOf(raw, fields);
      if (misspelt)
        return {
          success: false,
          error: new z.ZodError([{ code: 'custom', input: raw, ...misspelt }]),
        } as z.ZodSafeParseResult<EngineEvent>;
      const event = readOrderEvent(raw, context);
      return event ? { success: true, data: event } : schema.safeParse(raw);
    },
  };
}

/**
 * `order.paid` and `order.completed` as nearly every shop sends them (ids as strings, amounts as
 * decimal strings, instants with their offset), read directly into what the schema makes of them:
 * the same object, keys and values alike (an optional key is there when the input has it). Zod's
 * general machinery was about a tenth of the server's CPU per ingested event. Null for any other
 * event, and for any field of another form or that the schema would refuse: zod reads those, so
 * that its answers, errors included, stay the one reference.
 */
export function readOrderEvent(raw: unknown, context: SchemaContext): EngineEvent | null {
  if (!isObject(raw)) return null;
  if (raw.type !== 'order.paid' && raw.type !== 'order.completed') return null;
  const at = typeof raw.at === 'string' ? instantValue(raw.at, context.timezone) : null;
  const order = plainId(raw.order);
  if (typeof at !== 'number' || order === null) return null;
  if (raw.type === 'order.completed') return { type: 'order.completed', at, order };
  const buyer = plainId(raw.buyer);
  if (buyer === null) return null;
  const event: Record<string, unknown> = { type: 'order.paid', at, order, buyer };
  for (const key of ['referrer', 'pickupPoint'] as const) {
    if (!(key in raw)) continue;
    const value = raw[key] ?? undefined;
    if (value !== undefined && plainId(value) === null) return null;
    event[key] = value;
  }
  if ('region' in raw) {
    const region = raw.region ?? undefined;
    if (region !== undefined && !(typeof region === 'string' && /^\d{6}$/.test(region))) return null;
    event.region = region;
  }
  const lines = readOrderLines(raw.lines, context.decimals);
  if (lines === null) return null;
  event.lines = lines;
  return event as unknown as EngineEvent;
}

function readOrderLines(raw: unknown, decimals: number): OrderLineInput[] | null {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_ORDER_LINES) return null;
  const lines: OrderLineInput[] = [];
  for (const item of raw as unknown[]) {
    if (!isObject(item)) return null;
    const { line, sku, qty, paid } = item;
    if (!isCount(line, 0, Number.MAX_SAFE_INTEGER) || plainId(sku) === null || !isCount(qty, 1, MAX_COUNT)) return null;
    const paidAmount = plainAmount(paid, decimals);
    if (paidAmount === null) return null;
    let category: unknown;
    if ('category' in item) {
      category = item.category;
      if (category !== undefined && typeof category !== 'string') return null;
    }
    const cost = item.cost === undefined ? undefined : plainAmount(item.cost, decimals);
    if (cost === null) return null;
    const read = lineOf(line, sku, 'category' in item, category, qty, paidAmount, 'cost' in item, cost);
    lines.push(read as unknown as OrderLineInput);
  }
  // A copy of its exact length: the engine keeps every order's lines, and an array grown by
  // push holds room for 17 entries.
  return uniqueLines(lines) ? lines.slice() : null;
}

/**
 * A line as one literal with the fields it was sent with, in the schema's order: fields added
 * one by one to a smaller literal go to a separate backing store, one more object per line kept.
 */
function lineOf(
  line: unknown,
  sku: unknown,
  hasCategory: boolean,
  category: unknown,
  qty: unknown,
  paid: bigint,
  hasCost: boolean,
  cost: bigint | undefined,
): object {
  if (hasCategory) return hasCost ? { line, sku, category, qty, paid, cost } : { line, sku, category, qty, paid };
  return hasCost ? { line, sku, qty, paid, cost } : { line, sku, qty, paid };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An id sent as a string the schema takes as it is (a number goes through zod's conversion). */
function plainId(value: unknown): string | null {
  return typeof value === 'string' && value.length >= 1 && value.length <= MAX_ID_LENGTH ? value : null;
}

function isCount(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** A non-negative amount sent as a decimal string, as `money` reads it. */
function plainAmount(value: unknown, decimals: number): bigint | null {
  if (typeof value !== 'string') return null;
  const amount = moneyValue(value, decimals);
  return typeof amount === 'bigint' ? amount : null;
}

function uniqueLines(lines: readonly { line: number }[]): boolean {
  return new Set(lines.map((l) => l.line)).size === lines.length;
}
