import type { EngineEvent } from '../domain/types.ts';
import type { Outcome } from '../engine/apply.ts';
import { compilePlan, Engine } from '../engine/engine.ts';
import type { PeriodTemplate } from '../engine/templates/template.ts';
import { lintPlan } from '../lint/lint.ts';
import type { Finding } from '../lint/profile.ts';
import { currencyDecimals } from '../money/money.ts';
import { DAY_MS } from '../engine/periods.ts';
import type { Month } from './months.ts';
import { describeNetwork } from './network.ts';
import { DEFAULT_COST_CAP, levelCounts, planReport, tallyEngine, type LevelCounts, type PlanReport } from './report.ts';
import type { SyntheticData } from './timeline.ts';

/** A plan to simulate: a draft (as in a plan file or the API), or the tenant's real plan versions. */
export interface PlanInput {
  readonly name: string;
  /** The raw plan, or `'current'`: the tenant's own versions (replays only). */
  readonly plan: unknown;
}
export const CURRENT = 'current';

export interface Progress {
  readonly plan: string;
  readonly planIndex: number;
  readonly plans: number;
  /** Of this plan's run, 0…1. */
  readonly fraction: number;
  /** Of the whole simulation (every plan), 0…1. */
  readonly overall: number;
  readonly events: number;
  readonly orders: number;
  /** The instant of the last event, ISO 8601. */
  readonly at: string;
  readonly elapsedMs: number;
}

export interface SimulateOptions {
  /** Called each time another `progressStep` of the whole run is done (and at the end of each plan). */
  readonly onProgress?: (progress: Progress) => void;
  readonly progressStep?: number;
  /** The run gives up (SimulationStopped) after this long. */
  readonly timeLimitMs?: number;
  readonly signal?: AbortSignal;
  /** Lets other work of the process run at least this often (a server); off by default. */
  readonly yieldEveryMs?: number;
  /** The share of sales above which a month's rewards get a warning (default 30%). */
  readonly cap?: number;
  /** Compliance profile of the lint (default `cn`). */
  readonly profile?: string;
}

/** Where the events come from: generated data, or a tenant's history. */
export interface EventSource {
  readonly kind: 'generated' | 'replay';
  readonly timezone: string;
  readonly currency: string;
  /** The months reported. */
  readonly months: readonly Month[];
  /** What the data is (parameters, network facts, the replay window), for the report. */
  readonly description: Record<string, unknown>;
  /** Progress is counted in orders (generated) or events (replay) out of this many. */
  readonly size: { readonly unit: 'orders' | 'events'; readonly total: number };
  /** A fresh engine running `plan` (with the starting network). */
  engine(plan: PlanInput): Engine;
  /** The compiled plan the lint reads for `plan`. */
  lintTarget(plan: PlanInput): unknown;
  /** Feeds every event, in order, to `engine`, telling `player` before and after each. */
  play(engine: Engine, player: Player): Promise<void>;
}

/** What a source tells the runner around each event. */
export interface Player {
  /** Before an event at `at`: may return a promise to await (the runner yields or stops then). */
  before(at: number): Promise<void> | undefined;
  after(outcome: Outcome, isOrder: boolean): void;
}

export interface SimulationReport {
  readonly kind: 'generated' | 'replay';
  readonly currency: string;
  readonly timezone: string;
  readonly months: readonly string[];
  readonly data: Record<string, unknown>;
  readonly plans: readonly PlanReport[];
  /** Wall-clock figures of this run (they vary from run to run; the rest does not). */
  readonly timing: {
    readonly totalMs: number;
    readonly plans: readonly { readonly name: string; readonly ms: number; readonly events: number; readonly orders: number; readonly lines: number }[];
  };
}

/** The run was stopped: its time limit passed or it was aborted. */
export class SimulationStopped extends Error {}

const CHECK_EVERY = 1024;

/**
 * Runs each plan over the same events, one engine per plan (the engine the server runs), one plan
 * after the other so that only one engine's state is held at a time; then reads every engine into
 * a report: per month GMV, cost by rule, cost ratio, the payout spread, members per level and
 * the findings, side by side for the plans.
 */
export async function simulate(source: EventSource, plans: readonly PlanInput[], options: SimulateOptions = {}): Promise<SimulationReport> {
  if (plans.length === 0) throw new Error('simulate: no plan given');
  const started = performance.now();
  const decimals = currencyDecimals(source.currency);
  const step = options.progressStep ?? 0.05;
  const reports: PlanReport[] = [];
  const timing: SimulationReport['timing']['plans'][number][] = [];
  let nextReport = step;

  for (const [planIndex, plan] of plans.entries()) {
    const planStarted = performance.now();
    const engine = source.engine(plan);
    const months = source.months;
    const levels: LevelCounts[] = [];
    let boundary = 0;
    let events = 0;
    let orders = 0;
    let lines = 0;
    let lastAt = months[0]?.start ?? 0;
    let lastYield = performance.now();
    const rejected: { count: number; samples: { at: string; code: string; message: string }[] } = { count: 0, samples: [] };
    const progress = (fraction: number): Progress => ({
      plan: plan.name, planIndex, plans: plans.length, fraction, overall: (planIndex + fraction) / plans.length,
      events, orders, at: new Date(lastAt).toISOString(), elapsedMs: performance.now() - started,
    });
    const fraction = () => Math.min(1, (source.size.unit === 'orders' ? orders : events) / Math.max(1, source.size.total));

    const player: Player = {
      before(at) {
        while (boundary < months.length && at >= months[boundary]!.end) {
          levels.push(levelCounts(engine));
          boundary++;
        }
        lastAt = at;
        if (++events % CHECK_EVERY !== 0) return undefined;
        const now = performance.now();
        if (options.signal?.aborted) throw new SimulationStopped('the simulation was aborted');
        if (options.timeLimitMs !== undefined && now - started > options.timeLimitMs) {
          throw new SimulationStopped(`the simulation took longer than its limit of ${(options.timeLimitMs / 1000).toFixed(0)} s; simulate fewer members, orders or months`);
        }
        const overall = (planIndex + fraction()) / plans.length;
        if (options.onProgress && overall >= nextReport) {
          while (nextReport <= overall) nextReport += step;
          options.onProgress(progress(fraction()));
        }
        if (options.yieldEveryMs !== undefined && now - lastYield >= options.yieldEveryMs) {
          return new Promise<void>((resolve) => setImmediate(() => {
            lastYield = performance.now();
            resolve();
          }));
        }
        return undefined;
      },
      after(outcome, isOrder) {
        if (isOrder) orders++;
        if (outcome.status === 'rejected') {
          rejected.count++;
          if (rejected.samples.length < 5) rejected.samples.push({ at: new Date(lastAt).toISOString(), code: outcome.error.code, message: outcome.error.message });
        }
      },
    };
    await source.play(engine, player);
    // Let every period of the window close (closes run when time passes them).
    const horizon = closeHorizon(engine, months[months.length - 1]?.end ?? lastAt);
    if (engine.state.clock === null || horizon > engine.state.clock) engine.passTime(horizon);
    while (levels.length < months.length) levels.push(levelCounts(engine));
    for (const order of engine.state.orders.values()) lines += order.lines.length;

    const lint = lintOf(source, plan, options.profile);
    reports.push(planReport({
      name: plan.name, tally: tallyEngine(engine, months), months, levels, decimals, lint,
      cap: options.cap ?? DEFAULT_COST_CAP, rejected,
    }));
    timing.push({ name: plan.name, ms: Math.round(performance.now() - planStarted), events, orders, lines });
    options.onProgress?.(progress(1));
  }
  return {
    kind: source.kind,
    currency: source.currency,
    timezone: source.timezone,
    months: source.months.map((month) => month.label),
    data: source.description,
    plans: reports,
    timing: { totalMs: Math.round(performance.now() - started), plans: timing },
  };
}

function lintOf(source: EventSource, plan: PlanInput, profile = 'cn'): Finding[] {
  const decimals = currencyDecimals(source.currency);
  const compiled = compilePlan(source.lintTarget(plan), { timezone: source.timezone, currency: source.currency, decimals });
  return lintPlan(compiled, profile);
}

/** The end of the window plus the longest close delay of the engine's period templates. */
export function closeHorizon(engine: Engine, end: number): number {
  let delay = 0;
  for (const version of engine.state.plans) {
    for (const entry of version.compiled.templates) {
      if (entry.template.kind === 'period') delay = Math.max(delay, (entry.template as PeriodTemplate<unknown>).closeDelayDays(entry.params));
    }
  }
  return end + delay * DAY_MS;
}

/** Generated data as a source: the same events, regenerated from the seed for every plan. */
export function generatedSource(data: SyntheticData): EventSource {
  const { params } = data;
  return {
    kind: 'generated',
    timezone: params.timezone,
    currency: params.currency,
    months: data.months,
    description: { params, network: describeNetwork(data.network), ordersPerMonth: data.volumes, orders: data.orders },
    size: { unit: 'orders', total: data.orders },
    engine(plan) {
      if (plan.plan === CURRENT) throw new Error('"current" names a tenant\'s own plan; give the plan itself for generated data');
      return Engine.create({ timezone: params.timezone, currency: params.currency, plan: plan.plan, members: data.members });
    },
    lintTarget: (plan) => plan.plan,
    async play(engine, player) {
      for (const event of data.events() as Iterable<EngineEvent>) {
        const wait = player.before(event.at);
        if (wait) await wait;
        player.after(engine.applyParsed(event), event.type === 'order.paid');
      }
    },
  };
}
