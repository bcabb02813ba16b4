import type { AwardRecord } from '../engine/awards.ts';
import type { Engine } from '../engine/engine.ts';
import { closeKey, planAt } from '../engine/state.ts';
import type { CompiledPlan } from '../schema/plan.ts';
import { periodWindow } from '../statements/calendar.ts';
import { latestRuleEntry } from './find.ts';
import type { RuleLabel } from './render.ts';

/** Where an award comes from, as GET /v1/awards answers it beside the award. */
export interface AwardOrigin {
  /** When it was made (ISO 8601): its order's payment, or its period's close; null when unknown. */
  readonly at: string | null;
  /** Its rule's name in the plan version that made it; null when that template has none. */
  readonly ruleName: string | null;
}

export interface AwardSubject {
  readonly order: string | null;
  readonly period: string | null;
  readonly rule: string;
}

/** When an award was made and the plan version that made it (either may be unknown). */
interface Making {
  readonly at: number | null;
  readonly plan: CompiledPlan | null;
}

/**
 * The origins of awards, read from the engine's memory (no query). Made once per answer: a page
 * of a period's awards shares a few (period, rule) pairs, each worked out once.
 */
export function awardOrigins(engine: Engine): (award: AwardSubject) => AwardOrigin {
  const periods = new Map<string, Making>();
  const latestNames = new Map<string, string | null>();
  const latestName = (rule: string): string | null => {
    if (!latestNames.has(rule)) latestNames.set(rule, latestRuleName(engine, rule));
    return latestNames.get(rule)!;
  };
  return (award) => {
    let made: Making;
    if (award.order !== null) made = orderMaking(engine, award.order);
    else {
      const key = closeKey(award.rule, award.period ?? '');
      made = periods.get(key) ?? periodMaking(engine, award.period ?? '', award.rule);
      periods.set(key, made);
    }
    const entry = made.plan?.templates.find((template) => template.id === award.rule);
    return {
      at: made.at === null ? null : new Date(made.at).toISOString(),
      ruleName: entry ? (entry.name ?? null) : latestName(award.rule),
    };
  };
}

/** The origin of one award (awardOrigins for a page of them). */
export function awardOrigin(engine: Engine, award: AwardSubject): AwardOrigin {
  return awardOrigins(engine)(award);
}

/**
 * What an explanation's headline says of an award's rule (render.ts RuleLabel): its name in the
 * version that made it, and its template in the latest version that has it (for an award with
 * nothing left to explain).
 */
export function ruleLabelOf(engine: Engine, award: AwardRecord): RuleLabel {
  const { ruleName } = awardOrigin(engine, { order: award.order ?? null, period: award.period ?? null, rule: award.rule });
  return { template: latestRuleEntry(engine, award.rule)?.template.name, name: ruleName };
}

/** An order's awards are made when it is paid, by the version in force then (which it keeps). */
function orderMaking(engine: Engine, order: string): Making {
  const orders = engine.state.orders;
  const number = orders.numberOf(order);
  return number < 0 ? { at: null, plan: null } : { at: orders.event(number).at, plan: orders.plan(number) };
}

/**
 * A period's awards are made at its close, as the engine recorded it (the instant was scheduled by
 * the period's first order, with that order's version's close delay), by the version in force at
 * the period's last instant (engine/due.ts).
 */
function periodMaking(engine: Engine, period: string, rule: string): Making {
  const at = engine.state.closedPeriods.get(closeKey(rule, period)) ?? null;
  const window = periodWindow(period, engine.settings.timezone);
  return { at, plan: window === null ? null : planAt(engine.state, window.to - 1) };
}

/** The name of `rule` in the latest plan version that has it (for an award whose making is unknown). */
function latestRuleName(engine: Engine, rule: string): string | null {
  return latestRuleEntry(engine, rule)?.name ?? null;
}
