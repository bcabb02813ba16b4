import type { Engine } from '../engine/engine.ts';
import { DAY_MS } from '../engine/periods.ts';
import { planAt } from '../engine/state.ts';
import type { PeriodTemplate } from '../engine/templates/template.ts';
import type { CompiledPlan, CompiledTemplate } from '../schema/plan.ts';
import { periodWindow } from '../statements/calendar.ts';

/** Where an award comes from, as GET /v1/awards answers it beside the award. */
export interface AwardOrigin {
  /** When it was made (ISO 8601): its order's payment, or its period's close; null when unknown. */
  readonly at: string | null;
  /** Its rule's name in the plan version that made it; null when that template has none. */
  readonly ruleName: string | null;
}

interface AwardSubject {
  readonly order: string | null;
  readonly period: string | null;
  readonly rule: string;
}

/** The origin of an award, read from the engine's memory (no query: a lookup by order or period). */
export function awardOrigin(engine: Engine, award: AwardSubject): AwardOrigin {
  const made = award.order !== null ? orderMaking(engine, award.order) : periodMaking(engine, award.period ?? '', award.rule);
  const entry = made && templateOf(made.plan, award.rule);
  return {
    at: made ? new Date(made.at).toISOString() : null,
    ruleName: (entry ? entry.name : latestRuleName(engine, award.rule)) ?? null,
  };
}

/** When an award was made and the plan version that made it. */
interface Making {
  readonly at: number;
  readonly plan: CompiledPlan;
}

/** An order's awards are made when it is paid, by the version in force then (which it keeps). */
function orderMaking(engine: Engine, order: string): Making | null {
  const orders = engine.state.orders;
  const number = orders.numberOf(order);
  return number < 0 ? null : { at: orders.event(number).at, plan: orders.plan(number) };
}

/**
 * A period's awards are made at its close, by the version in force at the period's last instant
 * (engine/due.ts): the period's end plus the template's close delay, as that version sets it.
 */
function periodMaking(engine: Engine, period: string, rule: string): Making | null {
  const window = periodWindow(period, engine.settings.timezone);
  if (window === null) return null;
  const plan = planAt(engine.state, window.to - 1);
  const entry = templateOf(plan, rule);
  if (entry?.template.kind !== 'period') return null;
  const delayDays = (entry.template as PeriodTemplate<unknown>).closeDelayDays(entry.params);
  return { at: window.to + delayDays * DAY_MS, plan };
}

function templateOf(plan: CompiledPlan, rule: string): CompiledTemplate | undefined {
  return plan.templates.find((entry) => entry.id === rule);
}

/** The name of `rule` in the latest plan version that has it (for an award whose making is unknown). */
function latestRuleName(engine: Engine, rule: string): string | undefined {
  for (const version of [...engine.state.plans].reverse()) {
    const entry = templateOf(version.compiled, rule);
    if (entry) return entry.name;
  }
  return undefined;
}
