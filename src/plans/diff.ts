import { DateTime } from 'luxon';
import type { Condition, LevelLeaf, Plan, RecruitLeaf, TenantSettings } from '../domain/types.ts';
import { lintPlan } from '../lint/lint.ts';
import type { Finding } from '../lint/profile.ts';
import { formatMoney } from '../money/money.ts';
import { formatRate } from '../money/rate.ts';
import type { CompiledPlan } from '../schema/plan.ts';
import { compileSource, type PlanSource } from './source.ts';

/**
 * What changed between two plans, for people (`renderDiff`) and machines (the object itself, as
 * JSON). Values are shown as a person writes them: rates as percentages, amounts as money, dates
 * in the tenant's zone. `old` is null for what was added, `new` for what was removed.
 */
export interface Change {
  readonly path: string;
  readonly old: string | null;
  readonly new: string | null;
}

export interface LevelSummary {
  readonly level: number;
  readonly name: string | null;
  readonly upgradeWhen: string | null;
}

export interface TemplateSummary {
  readonly id: string;
  readonly template: string;
  /** Its params, flattened: "rates[0]" → "10%". */
  readonly params: Readonly<Record<string, string>>;
}

export interface PlanDiff {
  readonly a: string;
  readonly b: string;
  readonly same: boolean;
  readonly settings: Change[];
  readonly recruit: Change[];
  readonly levels: { added: LevelSummary[]; removed: LevelSummary[]; changed: { level: number; changes: Change[] }[] };
  readonly templates: {
    added: TemplateSummary[];
    removed: TemplateSummary[];
    changed: { id: string; template: string; changes: Change[] }[];
  };
  readonly lint: { profile: string; appeared: Finding[]; disappeared: Finding[]; unchanged: number };
}

interface Side {
  readonly source: PlanSource;
  readonly compiled: CompiledPlan;
  readonly findings: Finding[];
}

export function diffPlans(a: PlanSource, b: PlanSource, profile = 'cn'): PlanDiff {
  const [left, right] = [a, b].map((source): Side => {
    const compiled = compileSource(source);
    return { source, compiled, findings: lintPlan(compiled, profile) };
  }) as [Side, Side];
  const settings = compareMaps(settingsOf(left), settingsOf(right));
  const recruit = compareMaps(recruitOf(left), recruitOf(right));
  const levels = diffLevels(left, right);
  const templates = diffTemplates(left, right);
  const lint = diffFindings(left.findings, right.findings, profile);
  const same =
    settings.length + recruit.length === 0 &&
    levels.added.length + levels.removed.length + levels.changed.length === 0 &&
    templates.added.length + templates.removed.length + templates.changed.length === 0 &&
    lint.appeared.length + lint.disappeared.length === 0;
  return { a: a.file, b: b.file, same, settings, recruit, levels, templates, lint };
}

// ---- plan-wide settings ---------------------------------------------------------------------

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

function settingsOf({ compiled, source }: Side): Map<string, string> {
  const plan = compiled.plan as Plan & { name?: string; description?: string };
  const money = (amount: bigint) => formatMoney(amount, source.settings.decimals);
  const out = new Map<string, string>();
  if (plan.name !== undefined) out.set('name', plan.name);
  if (plan.description !== undefined) out.set('description', plan.description);
  out.set('freezeDays', days(plan.freezeDays));
  out.set('selfPurchase', String(plan.selfPurchase));
  out.set('binding', plan.binding);
  out.set('protectDays', days(plan.protectDays));
  out.set('minWithdrawal', money(plan.minWithdrawal));
  for (const key of ['reviewAbove', 'dailyLimit', 'monthlyLimit'] as const) {
    const value = plan.withdrawals?.[key];
    if (value !== undefined) out.set(`withdrawals.${key}`, money(value));
  }
  out.set('tax', plan.tax);
  if (plan.compression) out.set('compression.inactiveDays', days(plan.compression.inactiveDays));
  return out;
}

function recruitOf({ compiled, source }: Side): Map<string, string> {
  const recruit = compiled.plan.recruit;
  const out = new Map<string, string>();
  if (!recruit) return out;
  out.set('role', recruit.role);
  out.set('level', String(recruit.level));
  out.set(
    'when',
    conditionText(recruit.when, (leaf) => recruitLeafText(leaf, source.settings.decimals)),
  );
  return out;
}

// ---- levels ---------------------------------------------------------------------------------

function levelsOf({ compiled, source }: Side): Map<number, LevelSummary> {
  const decimals = source.settings.decimals;
  return new Map(
    compiled.plan.levels.map((rule) => [
      rule.level,
      {
        level: rule.level,
        name: rule.name ?? null,
        upgradeWhen: rule.upgradeWhen ? conditionText(rule.upgradeWhen, (leaf) => levelLeafText(leaf, decimals)) : null,
      },
    ]),
  );
}

function diffLevels(left: Side, right: Side): PlanDiff['levels'] {
  const [before, after] = [levelsOf(left), levelsOf(right)];
  const result: PlanDiff['levels'] = { added: [], removed: [], changed: [] };
  for (const [level, summary] of before) if (!after.has(level)) result.removed.push(summary);
  for (const [level, summary] of after) {
    const old = before.get(level);
    if (!old) {
      result.added.push(summary);
      continue;
    }
    const changes = compareMaps(levelFields(old), levelFields(summary));
    if (changes.length > 0) result.changed.push({ level, changes });
  }
  const byLevel = (x: { level: number }, y: { level: number }) => x.level - y.level;
  result.added.sort(byLevel);
  result.removed.sort(byLevel);
  result.changed.sort(byLevel);
  return result;
}

function levelFields(summary: LevelSummary): Map<string, string> {
  const out = new Map<string, string>();
  if (summary.name !== null) out.set('name', summary.name);
  if (summary.upgradeWhen !== null) out.set('upgradeWhen', summary.upgradeWhen);
  return out;
}

// ---- templates ------------------------------------------------------------------------------

interface Leaf {
  readonly value: unknown;
  readonly raw: unknown;
}

interface TemplateSide {
  readonly template: string;
  readonly entry: Map<string, string>;
  readonly params: Map<string, Leaf>;
}

function templatesOf({ compiled, source }: Side): Map<string, TemplateSide> {
  const rawEntries = ((source.raw as { templates?: unknown[] }).templates ?? []) as Record<string, unknown>[];
  const out = new Map<string, TemplateSide>();
  compiled.templates.forEach((entry, index) => {
    const raw = rawEntries[index] ?? {};
    const fields = new Map<string, string>([['template', entry.template.name]]);
    if (typeof raw.name === 'string') fields.set('name', raw.name);
    if (typeof raw.description === 'string') fields.set('description', raw.description);
    if (typeof raw.when === 'string') fields.set('when', raw.when);
    const params = new Map<string, Leaf>();
    flatten(entry.params, raw.params, '', params);
    out.set(entry.id, { template: entry.template.name, entry: fields, params });
  });
  return out;
}

function diffTemplates(left: Side, right: Side): PlanDiff['templates'] {
  const [before, after] = [templatesOf(left), templatesOf(right)];
  const result: PlanDiff['templates'] = { added: [], removed: [], changed: [] };
  for (const [id, side] of before) {
    if (!after.has(id)) result.removed.push(summarize(id, side, left.source.settings));
  }
  for (const [id, side] of after) {
    const old = before.get(id);
    if (!old) {
      result.added.push(summarize(id, side, right.source.settings));
      continue;
    }
    const changes = [
      ...compareMaps(old.entry, side.entry),
      ...compareMaps(...showParams(old.params, side.params, left.source.settings, right.source.settings)),
    ];
    if (changes.length > 0) result.changed.push({ id, template: side.template, changes });
  }
  return result;
}

function summarize(id: string, side: TemplateSide, settings: TenantSettings): TemplateSummary {
  const [params] = showParams(side.params, new Map(), settings, settings);
  return { id, template: side.template, params: Object.fromEntries(params) };
}

/** Flattens parsed params next to the text they were written as: "tiers[1].rate", "rates.2". */
function flatten(value: unknown, raw: unknown, path: string, out: Map<string, Leaf>): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    const rawItems = Array.isArray(raw) ? raw : [];
    value.forEach((item, index) => flatten(item, rawItems[index], `${path}[${index}]`, out));
    return;
  }
  if (value !== null && typeof value === 'object') {
    const rawObject = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    for (const [key, item] of Object.entries(value)) flatten(item, rawObject[key], path ? `${path}.${key}` : key, out);
    return;
  }
  out.set(path, { value, raw });
}

type Kind = 'rate' | 'money' | 'instant' | 'plain';

/** Both sides' params as display text; a path's kind is judged from either side's text. */
function showParams(
  a: Map<string, Leaf>,
  b: Map<string, Leaf>,
  settingsA: TenantSettings,
  settingsB: TenantSettings,
): [Map<string, string>, Map<string, string>] {
  // Each side keeps its own order of paths (the order the params were written in).
  const shown = (own: Map<string, Leaf>, other: Map<string, Leaf>, settings: TenantSettings) =>
    new Map([...own].map(([path, leaf]) => [path, show(kindOf(path, [leaf, other.get(path)]), leaf.value, settings)]));
  return [shown(a, b, settingsA), shown(b, a, settingsB)];
}

function kindOf(path: string, leaves: (Leaf | undefined)[]): Kind {
  const present = leaves.filter((leaf): leaf is Leaf => leaf !== undefined);
  const texts = present.map((leaf) => leaf.raw).filter((raw): raw is string => typeof raw === 'string');
  const sample = present[0]!.value;
  if (typeof sample === 'bigint') {
    if (texts.some((text) => text.trim().endsWith('%'))) return 'rate';
    if (texts.length > 0 || present.some((leaf) => typeof leaf.raw === 'number')) return 'money';
    // A default nobody wrote down: judge by the name ("rate", "rates.2", "share" are rates).
    return /rate|share/i.test(path) ? 'rate' : 'money';
  }
  if (typeof sample === 'number' && texts.some((text) => !/^[-+]?\d+(\.\d+)?$/.test(text.trim()))) return 'instant';
  return 'plain';
}

function show(kind: Kind, value: unknown, settings: TenantSettings): string {
  switch (kind) {
    case 'rate':
      return formatRate(value as bigint);
    case 'money':
      return formatMoney(value as bigint, settings.decimals);
    case 'instant':
      return (
        DateTime.fromMillis(value as number, { zone: settings.timezone }).toISO({ suppressMilliseconds: true }) ?? String(value)
      );
    default:
      return typeof value === 'bigint' ? value.toString() : String(value);
  }
}

// ---- lint -----------------------------------------------------------------------------------

function diffFindings(before: Finding[], after: Finding[], profile: string): PlanDiff['lint'] {
  const key = (f: Finding) => JSON.stringify([f.severity, f.code, f.template ?? '', f.message]);
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return {
    profile,
    appeared: after.filter((f) => !beforeKeys.has(key(f))),
    disappeared: before.filter((f) => !afterKeys.has(key(f))),
    unchanged: after.filter((f) => beforeKeys.has(key(f))).length,
  };
}

// ---- conditions and comparison --------------------------------------------------------------

export function conditionText<L extends object>(condition: Condition<L>, leaf: (leaf: L) => string): string {
  if ('any' in condition) return `any(${(condition.any as Condition<L>[]).map((c) => conditionText(c, leaf)).join(', ')})`;
  if ('all' in condition) return `all(${(condition.all as Condition<L>[]).map((c) => conditionText(c, leaf)).join(', ')})`;
  return leaf(condition as L);
}

function levelLeafText(leaf: LevelLeaf, decimals: number): string {
  if ('personalSales' in leaf) return `personalSales ≥ ${formatMoney(leaf.personalSales, decimals)}`;
  if ('teamSales' in leaf) return `teamSales ≥ ${formatMoney(leaf.teamSales, decimals)}`;
  if ('directRecruits' in leaf) return `directRecruits ≥ ${leaf.directRecruits}`;
  return `directAtLevel(level ≥ ${leaf.directAtLevel.level}) ≥ ${leaf.directAtLevel.count}`;
}

function recruitLeafText(leaf: RecruitLeaf, decimals: number): string {
  if ('spend' in leaf) return `spend ≥ ${formatMoney(leaf.spend, decimals)}`;
  if ('orders' in leaf) return `orders ≥ ${leaf.orders}`;
  return `bought ${leaf.bought.sku} × ${leaf.bought.qty}`;
}

/** Changes between two flat maps, in the order of `after` then what only `before` had. */
function compareMaps(before: Map<string, string>, after: Map<string, string>): Change[] {
  const changes: Change[] = [];
  for (const path of new Set([...after.keys(), ...before.keys()])) {
    const [old, now] = [before.get(path) ?? null, after.get(path) ?? null];
    if (old !== now) changes.push({ path, old, new: now });
  }
  return changes;
}

// ---- rendering ------------------------------------------------------------------------------

/** The diff for people: one section per part of the plan, `+` added, `-` removed, `~` changed. */
export function renderDiff(diff: PlanDiff): string {
  const lines = [`--- ${diff.a}`, `+++ ${diff.b}`];
  if (diff.same) return [...lines, 'no differences'].join('\n');
  const section = (title: string, body: string[]) => {
    if (body.length > 0) lines.push('', title, ...body);
  };
  section(
    'settings',
    diff.settings.map((c) => changeLine(c, '  ')),
  );
  section(
    'recruit (招募规则)',
    diff.recruit.map((c) => changeLine(c, '  ')),
  );
  section('levels', [
    ...diff.levels.removed.map((l) => `  - ${levelText(l)}`),
    ...diff.levels.added.map((l) => `  + ${levelText(l)}`),
    ...diff.levels.changed.flatMap((l) => [`  ~ level ${l.level}`, ...l.changes.map((c) => changeLine(c, '      '))]),
  ]);
  section('templates', [
    ...diff.templates.removed.flatMap((t) => [`  - ${t.id} (${t.template})`, ...paramLines(t)]),
    ...diff.templates.added.flatMap((t) => [`  + ${t.id} (${t.template})`, ...paramLines(t)]),
    ...diff.templates.changed.flatMap((t) => [`  ~ ${t.id} (${t.template})`, ...t.changes.map((c) => changeLine(c, '      '))]),
  ]);
  const lint = [
    ...diff.lint.disappeared.map((f) => `  - ${findingText(f)}`),
    ...diff.lint.appeared.map((f) => `  + ${findingText(f)}`),
  ];
  lines.push('', `lint (${diff.lint.profile})`);
  if (lint.length > 0) lines.push(...lint);
  else lines.push(`  no change (${diff.lint.unchanged} finding${diff.lint.unchanged === 1 ? '' : 's'} on both sides)`);
  return lines.join('\n');
}

function changeLine(change: Change, indent: string): string {
  if (change.old === null) return `${indent}+ ${change.path}: ${change.new}`;
  if (change.new === null) return `${indent}- ${change.path}: ${change.old}`;
  return `${indent}~ ${change.path}: ${change.old} → ${change.new}`;
}

function levelText(level: LevelSummary): string {
  const name = level.name ? ` ${level.name}` : '';
  return `level ${level.level}${name}: ${level.upgradeWhen ? `upgrade when ${level.upgradeWhen}` : 'by hand only'}`;
}

function paramLines(template: TemplateSummary): string[] {
  return Object.entries(template.params).map(([path, value]) => `      ${path}: ${value}`);
}

function findingText(finding: Finding): string {
  const template = finding.template ? ` [${finding.template}]` : '';
  return `${finding.severity.toUpperCase().padEnd(6)} ${finding.code}${template}: ${finding.message}`;
}
