import { z } from 'zod';
import { DISTRIBUTOR_ROLES, type Condition, type LevelLeaf, type Plan, type RecruitLeaf } from '../domain/types.ts';
import { compileCondition, describeIssue, type CompileResult, type CompiledCondition } from '../engine/cel/compile.ts';
import { withCondition } from '../engine/cel/conditional.ts';
import { TEMPLATES } from '../engine/templates/registry.ts';
import type { SchemaContext, Template } from '../engine/templates/template.ts';
import { count, days, firstIssue, level, MAX_AMOUNT, MAX_COUNT, money, positiveCount } from './primitives.ts';

/**
 * A condition tree: a leaf with one key, or `any` / `all` of conditions. A node of no known shape
 * is refused naming the keys it may have (zod's union alone says "Invalid input").
 */
function conditionSchema<Leaf>(leaf: z.ZodType<Leaf>, keys: readonly string[]): z.ZodType<Condition<Leaf>> {
  const message = `a condition is { any: [...] }, { all: [...] } or one of ${keys.map((key) => `{ ${key}: ... }`).join(', ')}`;
  const tree: z.ZodType<Condition<Leaf>> = z.lazy(() =>
    z.union([z.strictObject({ any: z.array(tree).min(1) }), z.strictObject({ all: z.array(tree).min(1) }), leaf], {
      error: (issue) => (issue.code === 'invalid_union' ? message : undefined),
    }),
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
  // A rule's id, like every id: a number (`id: 2024`, as YAML reads it) is taken as its text.
  id: z
    .union([z.string(), z.number().int()])
    .transform((value) => String(value))
    .pipe(z.string().min(1).max(64)),
  template: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  /** A CEL condition (src/engine/cel): which lines, payees or members the template applies to. */
  when: z.string().optional(),
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
      // The scenario format's default, 0.01, in the currency's minor units (at least one: 1 yen).
      minWithdrawal: money(context.decimals, { positive: true }).default(10n ** BigInt(Math.max(0, context.decimals - 2))),
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
          when: conditionSchema(recruitLeaf(context.decimals), ['spend', 'orders', 'bought']),
        })
        .optional(),
      compression: z.strictObject({ inactiveDays: z.coerce.number().int().min(1).max(3650) }).optional(),
      tax: z.enum(['none', 'cn-labor', 'flat-20']).default('none'),
      levels: z
        .array(
          z.strictObject({
            level,
            name: z.string().optional(),
            upgradeWhen: conditionSchema(levelLeaf(context.decimals), [
              'personalSales',
              'teamSales',
              'directRecruits',
              'directAtLevel',
            ]).optional(),
          }),
        )
        .default([]),
      templates: z.array(templateEntry).default([]),
    })
    .superRefine((plan, ctx) => {
      const levels = new Set<number>();
      plan.levels.forEach((rule, index) => {
        if (levels.has(rule.level))
          ctx.addIssue({ code: 'custom', message: `level ${rule.level} is listed twice`, path: ['levels', index, 'level'] });
        levels.add(rule.level);
      });
      const seen = new Set<string>();
      plan.templates.forEach((entry, index) => {
        if (seen.has(entry.id))
          ctx.addIssue({ code: 'custom', message: `template id "${entry.id}" is used twice`, path: ['templates', index, 'id'] });
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
  /** The template itself, or wrapped by its `when:` condition (withCondition). */
  readonly template: Template;
  readonly params: unknown;
  /** The `when:` condition, compiled once with the plan version. */
  readonly condition?: CompiledCondition;
}

export interface CompiledPlan {
  readonly plan: Plan;
  readonly templates: readonly CompiledTemplate[];
  /**
   * The most units one order line may have under this plan: a per-unit amount (up to
   * MAX_AMOUNT) times the quantity must stay within MAX_AMOUNT, so that no award, nor a sum of
   * them, can overflow what the ledger stores. MAX_COUNT unless the plan pays per unit.
   */
  readonly maxQtyPerLine: number;
}

/** See CompiledPlan.maxQtyPerLine. */
function maxQtyPerLine(templates: readonly CompiledTemplate[]): number {
  let largestUnit = 0n;
  for (const { template, params } of templates) {
    const unit = template.kind === 'order' ? (template.maxUnitAmount?.(params) ?? 0n) : 0n;
    if (unit > largestUnit) largestUnit = unit;
  }
  if (largestUnit === 0n) return MAX_COUNT;
  return Math.min(MAX_COUNT, Number(MAX_AMOUNT / largestUnit));
}

export type PlanParseResult = { ok: true; value: CompiledPlan } | { ok: false; path: (string | number)[]; message: string };

/** A template's `when:`, type-checked for its kind of template; undefined when it has none. */
function compileWhen(when: string | undefined, template: Template): CompileResult | undefined {
  return when === undefined ? undefined : compileCondition(when, template.kind);
}

/** Parses and compiles a plan: its own fields, then each template's params and condition. */
export function parsePlan(raw: unknown, context: SchemaContext): PlanParseResult {
  const parsed = planSchema(context).safeParse(raw);
  if (!parsed.success) {
    return { ok: false, ...firstIssue(parsed.error) };
  }
  const templates: CompiledTemplate[] = [];
  for (const [index, entry] of parsed.data.templates.entries()) {
    const template = TEMPLATES[entry.template]!;
    const params = template.params(context).safeParse(entry.params);
    if (!params.success) {
      const issue = firstIssue(params.error);
      return {
        ok: false,
        path: ['templates', index, 'params', ...issue.path],
        message: `${entry.template} "${entry.id}": ${issue.message}`,
      };
    }
    const condition = compileWhen(entry.when, template);
    if (condition && !condition.ok) {
      return {
        ok: false,
        path: ['templates', index, 'when'],
        message: `${entry.template} "${entry.id}": when: ${describeIssue(condition.issue)}`,
      };
    }
    templates.push({
      id: entry.id,
      ...(entry.name ? { name: entry.name } : {}),
      // CEL hook: only a template with a condition is wrapped; the others run as they are.
      template: condition ? withCondition(template, condition.condition) : template,
      params: params.data,
      ...(condition ? { condition: condition.condition } : {}),
    });
  }
  return { ok: true, value: { plan: parsed.data as Plan, templates, maxQtyPerLine: maxQtyPerLine(templates) } };
}
