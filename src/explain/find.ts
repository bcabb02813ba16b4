import type { AwardRecord } from '../engine/awards.ts';
import type { Engine } from '../engine/engine.ts';
import type { CompiledTemplate } from '../schema/plan.ts';

/**
 * The parts of `<to>:<order|period>:<rule>`, e.g. `L2:O1:direct` or `D:2026-03:team`, or null when
 * it has not three non-empty parts. Ids may themselves contain colons, so the rule is the last
 * part and the member the first.
 */
export function parseAwardSelector(selector: string): { to: string; subject: string; rule: string } | null {
  const first = selector.indexOf(':');
  const last = selector.lastIndexOf(':');
  if (first < 0 || first === last) return null;
  const parts = { to: selector.slice(0, first), subject: selector.slice(first + 1, last), rule: selector.slice(last + 1) };
  return parts.to && parts.subject && parts.rule ? parts : null;
}

/** Finds an award by its selector (parseAwardSelector). */
export function findAward(engine: Engine, selector: string): AwardRecord | undefined {
  const parts = parseAwardSelector(selector);
  if (parts === null) return undefined;
  const { to, subject, rule } = parts;
  for (const award of engine.state.awards.all()) {
    if (award.to === to && award.rule === rule && (award.order === subject || award.period === subject)) return award;
  }
  return undefined;
}

/**
 * Rule `rule`'s entry in the latest plan version that has it, or undefined: what an award is
 * named and explained by when the version that made it is not known (or it made no award).
 */
export function latestRuleEntry(engine: Engine, rule: string): CompiledTemplate | undefined {
  const plans = engine.state.plans;
  for (let i = plans.length - 1; i >= 0; i--) {
    const entry = plans[i]!.compiled.templates.find((template) => template.id === rule);
    if (entry) return entry;
  }
  return undefined;
}
