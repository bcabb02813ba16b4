import { z } from 'zod';
import { DISTRIBUTOR_ROLES, type EngineEvent, type MemberInput } from '../domain/types.ts';
import type { SchemaContext } from '../engine/templates/template.ts';
import { id, instant, level, money, positiveCount, count } from './primitives.ts';

export const ROLES = [...DISTRIBUTOR_ROLES, 'customer'] as const;
const regionCode = z.union([z.string(), z.number().int()]).transform((code) => String(code));

export function memberSchema(context: SchemaContext): z.ZodType<MemberInput> {
  void context;
  return z.object({
    id,
    role: z.enum(ROLES),
    level: level.optional(),
    parent: id.nullable().optional(),
    regions: z.array(regionCode).optional(),
  }) as z.ZodType<MemberInput>;
}

/** Every event's shape. Unknown extra fields are ignored; a missing or mistyped one is `invalid`. */
export function eventSchema(context: SchemaContext): z.ZodType<EngineEvent> {
  const at = instant(context.timezone);
  const amount = money(context.decimals);
  const line = z.object({
    line: z.coerce.number().int().min(0),
    sku: id,
    category: z.string().optional(),
    qty: positiveCount,
    paid: amount,
    cost: amount.optional(),
  });
  const refundLine = z.object({ line: z.coerce.number().int().min(0), qty: count, amount });
  return z.discriminatedUnion('type', [
    z.object({
      type: z.literal('order.paid'),
      at,
      order: id,
      buyer: id,
      referrer: id.nullish().transform((value) => value ?? undefined),
      pickupPoint: id.nullish().transform((value) => value ?? undefined),
      region: regionCode
        .pipe(z.string().regex(/^\d{6}$/, 'an order\'s region is a 6-digit district code (GB/T 2260), e.g. "330106"'))
        .nullish()
        .transform((value) => value ?? undefined),
      lines: z.array(line).min(1, 'an order has at least one line').refine(uniqueLines, 'line numbers must be unique'),
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
        .refine(uniqueLines, 'line numbers must be unique')
        .refine((lines) => lines.some((l) => l.qty > 0 || l.amount > 0n), 'a refund must refund a quantity or an amount'),
    }),
    z.object({ type: z.literal('member.joined'), at, member: memberSchema(context) }),
    z.object({ type: z.literal('member.moved'), at, member: id, parent: id.nullable() }),
    z.object({ type: z.literal('member.promoted'), at, member: id, role: z.enum(DISTRIBUTOR_ROLES).default('leader'), level: level.default(1) }),
    z.object({ type: z.literal('member.level_set'), at, member: id, level }),
    z.object({ type: z.literal('member.regions_set'), at, member: id, regions: z.array(regionCode) }),
    z.object({ type: z.literal('withdrawal.requested'), at, withdrawal: id, member: id, amount: money(context.decimals, { positive: true }) }),
    z.object({ type: z.literal('tick'), at }),
    ...(['withdrawal.approved', 'withdrawal.rejected', 'withdrawal.paid', 'withdrawal.failed'] as const).map((type) =>
      z.object({ type: z.literal(type), at, withdrawal: id, note: z.string().max(500).optional(), by: z.string().max(128).optional() }),
    ),
    z.object({
      type: z.literal('adjustment.posted'),
      at,
      adjustment: id,
      member: id,
      amount: money(context.decimals, { allowNegative: true }).refine((amount) => amount !== 0n, 'an adjustment must not be zero'),
      reason: z.string().trim().min(1, 'a manual adjustment needs a reason').max(500),
      by: z.string().max(128).optional(),
    }),
  ]) as unknown as z.ZodType<EngineEvent>;
}

function uniqueLines(lines: readonly { line: number }[]): boolean {
  return new Set(lines.map((l) => l.line)).size === lines.length;
}
