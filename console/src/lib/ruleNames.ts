/**
 * What a person reads where the API answers a rule id (`direct`, `area`): the name its template
 * has in the plan (`name:`), or the id itself when the template has none.
 */
export type RuleNames = ReadonlyMap<string, string>;

/** A plan version as GET /v1/plans answers it (its plan as published: loose JSON). */
interface PlanVersion {
  readonly version: number;
  readonly effectiveFrom: string | null;
  readonly plan: unknown;
}

interface TemplateEntry {
  readonly id: string;
  readonly name: string | null;
}

/** The templates of a published plan: ids as text (YAML may read `id: 2024` as a number). */
function templateEntries(plan: unknown): TemplateEntry[] {
  const templates = (plan as { templates?: unknown } | null)?.templates;
  if (!Array.isArray(templates)) return [];
  return templates.flatMap((entry: unknown) => {
    const { id, name } = (entry ?? {}) as { id?: unknown; name?: unknown };
    if (typeof id !== 'string' && typeof id !== 'number') return [];
    return [{ id: String(id), name: typeof name === 'string' && name ? name : null }];
  });
}

/**
 * The rule names of the plan in force at `now`: each rule as the latest version in force that has
 * it names it (a rule the plan in force dropped keeps the name it last had; one the latest version
 * has without a name shows its id, whatever an older version called it). Versions not yet in
 * force are left out.
 */
export function ruleNamesInForce(versions: readonly PlanVersion[], now: number): RuleNames {
  const inForce = versions
    .filter((v) => v.effectiveFrom === null || Date.parse(v.effectiveFrom) <= now)
    .sort((a, b) => b.version - a.version);
  return firstNames(inForce.map((v) => templateEntries(v.plan)).flat());
}

/** The rule names of one plan (a draft being linted, a version, a library plan): its templates' `name:`. */
export function ruleNamesOfPlan(plan: unknown): RuleNames {
  return firstNames(templateEntries(plan));
}

/** An award as GET /v1/awards answers it, as far as its rule's name goes. */
interface NamedAward {
  readonly rule: string;
  readonly ruleName: string | null;
  /** When it was made (ISO 8601, UTC: text order is time order). */
  readonly at: string | null;
}

/**
 * The rule names the API answered with awards (`ruleName`, as the plan version that made each
 * award names its rule): each rule as its latest award names it.
 */
export function ruleNamesOfAwards(awards: readonly NamedAward[]): RuleNames {
  const latestFirst = [...awards].sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
  return firstNames(latestFirst.map((award) => ({ id: award.rule, name: award.ruleName })));
}

/**
 * The names of `first`, and for the rules it does not know, those of `fallback`: a member page's
 * statement may list rules of months whose awards the page did not load (it loads the latest
 * 5,000), which the plan still names.
 */
export function withFallbackNames(first: RuleNames, fallback: RuleNames): RuleNames {
  if (fallback.size === 0) return first;
  const names = new Map(fallback);
  for (const [id, name] of first) names.set(id, name);
  return names;
}

/** Each id with the name of its first entry (an id whose first entry has no name gets none). */
function firstNames(entries: readonly TemplateEntry[]): RuleNames {
  const seen = new Set<string>();
  const names = new Map<string, string>();
  for (const { id, name } of entries) {
    if (seen.has(id)) continue;
    seen.add(id);
    if (name) names.set(id, name);
  }
  return names;
}
