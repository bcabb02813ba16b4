import { z } from 'zod';
import { DISTRIBUTOR_ROLES, type Condition, type LevelLeaf, type Plan, type RecruitLeaf } from '../domain/types.ts';
import { TEMPLATES } from '../engine/templates/registry.ts';
import type { SchemaContext, Template } from '../engine/templates/template.ts';
import { count, days, level, money, positiveCount } from './primitives.ts';

/** A condition tree: a leaf with one key, or `any` / `all` of conditions. */
function conditionSchema<Leaf>(leaf: z.ZodType<Leaf>): z.ZodType<Condition<Leaf>> {
  const tree: z.ZodType<Condition<Leaf>> = z.lazy(() =>
    z.union([
      z.strictObject({ any: z.array(tree).min(1) }),
      z.strictObject({ all: z.array(tree).min(1) }),
      leaf,
    ]),
  ) as z.ZodType<Condition<Leaf>>;
  return tree;
}

function levelLeaf(decimals: number): z.ZodType<LevelLeaf> {
  return z.union([
    z.strictObject({ personalSales: money(decimals) }),
    z.strictObject({ teamSales: money(decimals) }),
    z.strictObject({ directRecruits: count }),
    z.strictObject({ directAtLevel: z.strictObject({ level, count }) }),
  ]) as z.ZodType<LevelLeaf>;
}

function recruitLeaf(decimals: number): z.ZodType<RecruitLeaf> {
  return z.union([
    z.strictObject({ spend: money(decimals) }),
    z.strictObject({ orders: count }),
    z.strictObject({ bought: z.strictObject({ sku: z.string().min(1), qty: positiveCount.default(1) }) }),
  ]) as z.ZodType<RecruitLeaf>;
}

const templateEntry = z.strictObject({
  id: z.string().min(1).max(64),
  template: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  params: z.unknown().default({}),
});

export function planSchema(context: SchemaContext) {
  return z
    .strictObject({
      name: z.string().optional(),
      description: z.string().optional(),
      freezeDays: days.default(0),
      selfPurchase: z.boolean().default(false),
      binding: z.enum(['first', 'last']).default('first'),
      protectDays: days.default(0),
      minWithdrawal: money(context.decimals, { positive: true }).default(1n),
      withdrawals: z
        .strictObject({
          reviewAbove: money(context.decimals).optional(),
          dailyLimit: money(context.decimals, { positive: true }).optional(),
          monthlyLimit: money(context.decimals, { positive: true }).optional(),
        })
        .default({}),
      recruit: z
        .strictObject({
          role: z.enum(DISTRIBUTOR_ROLES).default('leader'),
          level: level.default(1),
          when: conditionSchema(recruitLeaf(context.decimals)),
        })
        .optional(),
      compression: z.strictObject({ inactiveDays: z.coerce.number().int().min(1).max(3650) }).optional(),
      tax: z.enum(['none', 'cn-labor', 'flat-20']).default('none'),
      levels: z
        .array(
          z.strictObject({
            level,
            name: z.string().optional(),
            upgradeWhen: conditionSchema(levelLeaf(context.decimals)).optional(),
          }),
        )
        .default([]),
      templates: z.array(templateEntry).default([]),
    })
    .superRefine((plan, ctx) => {
      const seen = new Set<string>();
      plan.templates.forEach((entry, index) => {
        if (seen.has(entry.id)) ctx.addIssue({ code: 'custom', message: `template id "${entry.id}" is used twice`, path: ['templates', index, 'id'] });
        seen.add(entry.id);
        if (!TEMPLATES[entry.template]) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown template "${entry.template}"; known: ${Object.keys(TEMPLATES).join(', ')}`,
            path: ['templates', index, 'template'],
          });
        }
      });
    });
}

/** A template of a plan with its params parsed by the template's own schema. */
export interface CompiledTemplate {
  readonly id: string;
  readonly name?: string;
  readonly template: Template;
  readonly params: unknown;
}

export interface CompiledPlan {
  readonly plan: Plan;
  readonly templates: readonly CompiledTemplate[];
}

export type PlanParseResult =
  | { ok: true; value: CompiledPlan }
  | { ok: false; path: (string | number)[]; message: string };

/** Parses and compiles a plan: its own fields, then each template's params. */
export function parsePlan(raw: unknown, context: SchemaContext): PlanParseResult {
  const parsed = planSchema(context).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)), message: issue.message };
  }
  const templates: CompiledTemplate[] = [];
  for (const [index, entry] of parsed.data.templates.entries()) {
    const template = TEMPLATES[entry.template]!;
    const params = template.params(context).safeParse(entry.params);
    if (!params.success) {
      const issue = params.error.issues[0]!;
      const inner = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
      return { ok: false, path: ['templates', index, 'params', ...inner], message: `${entry.template} "${entry.id}": ${issue.message}` };
    }
    templates.push({ id: entry.id, ...(entry.name ? { name: entry.name } : {}), template, params: params.data });
  }
  return { ok: true, value: { plan: parsed.data as Plan, templates } };
}
