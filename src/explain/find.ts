import type { AwardRecord } from '../engine/awards.ts';
import type { Engine } from '../engine/engine.ts';

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

/** The template that rule `rule` runs (by its id in the tenant's plan versions, latest first), or undefined. */
export function templateOfRule(engine: Engine, rule: string): string | undefined {
  for (const version of [...engine.state.plans].reverse()) {
    const entry = version.compiled.templates.find((template) => template.id === rule);
    if (entry) return entry.template.name;
  }
  return undefined;
}
