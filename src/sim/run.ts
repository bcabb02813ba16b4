import { fail, InputError } from '../domain/errors.ts';
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
  /** Time spent on this plan so far. */
  readonly planElapsedMs: number;
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
    readonly plans: readonly {
      readonly name: string;
      readonly ms: number;
      readonly events: number;
      readonly orders: number;
      readonly lines: number;
    }[];
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
export async function simulate(
  source: EventSource,
  plans: readonly PlanInput[],
  options: SimulateOptions = {},
): Promise<SimulationReport> {
  if (plans.length === 0) throw new Error('simulate: no plan given');
  const clock = { started: performance.now(), nextReport: options.progressStep ?? 0.05 };
  const reports: PlanReport[] = [];
  const timing: SimulationReport['timing']['plans'][number][] = [];
  for (const [planIndex, plan] of plans.entries()) {
    const run = new PlanRun(source, plan, planIndex, plans.length, options, clock);
    await source.play(run.engine, run);
    const { report, time } = run.finish();
    reports.push(report);
    timing.push(time);
  }
  return {
    kind: source.kind,
    currency: source.currency,
    timezone: source.timezone,
    months: source.months.map((month) => month.label),
    data: source.description,
    plans: reports,
    timing: { totalMs: Math.round(performance.now() - clock.started), plans: timing },
  };
}

/** One plan's run: its engine, what it counts as the events go by (a Player), and its report. */
class PlanRun implements Player {
  readonly engine: Engine;
  private readonly started = performance.now();
  private readonly months: readonly Month[];
  private readonly levels: LevelCounts[] = [];
  private readonly rejected: { count: number; samples: { at: string; code: string; message: string }[] } = {
    count: 0,
    samples: [],
  };
  private boundary = 0;
  private events = 0;
  private orders = 0;
  private lastAt: number;
  private lastYield = performance.now();

  constructor(
    private readonly source: EventSource,
    private readonly plan: PlanInput,
    private readonly index: number,
    private readonly count: number,
    private readonly options: SimulateOptions,
    /** Shared by the plans of one simulation. */
    private readonly clock: { readonly started: number; nextReport: number },
  ) {
    this.engine = source.engine(plan);
    this.months = source.months;
    this.lastAt = this.months[0]?.start ?? 0;
  }

  before(at: number): Promise<void> | undefined {
    while (this.boundary < this.months.length && at >= this.months[this.boundary]!.end) {
      this.levels.push(levelCounts(this.engine));
      this.boundary++;
    }
    this.lastAt = at;
    if (++this.events % CHECK_EVERY !== 0) return undefined;
    const { options, clock } = this;
    const now = performance.now();
    if (options.signal?.aborted) throw new SimulationStopped('the simulation was aborted');
    if (options.timeLimitMs !== undefined && now - clock.started > options.timeLimitMs) {
      throw new SimulationStopped(
        `the simulation took longer than its limit of ${(options.timeLimitMs / 1000).toFixed(0)} s; simulate fewer members, orders or months`,
      );
    }
    // Below 1 until the plan is done (the last completions come after the last order).
    const done = this.source.size.unit === 'orders' ? this.orders : this.events;
    const fraction = Math.min(0.999, done / Math.max(1, this.source.size.total));
    if (options.onProgress && (this.index + fraction) / this.count >= clock.nextReport) {
      const step = options.progressStep ?? 0.05;
      while (clock.nextReport <= (this.index + fraction) / this.count) clock.nextReport += step;
      options.onProgress(this.progress(fraction));
    }
    if (options.yieldEveryMs === undefined || now - this.lastYield < options.yieldEveryMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        this.lastYield = performance.now();
        resolve();
      }),
    );
  }

  after(outcome: Outcome, isOrder: boolean): void {
    if (isOrder) this.orders++;
    if (outcome.status !== 'rejected') return;
    this.rejected.count++;
    if (this.rejected.samples.length < 5) {
      this.rejected.samples.push({
        at: new Date(this.lastAt).toISOString(),
        code: outcome.error.code,
        message: outcome.error.message,
      });
    }
  }

  /** Lets every period of the window close, then reads the engine. */
  finish(): { report: PlanReport; time: SimulationReport['timing']['plans'][number] } {
    const { engine, months, plan, source } = this;
    const horizon = closeHorizon(engine, months[months.length - 1]?.end ?? this.lastAt);
    if (engine.state.clock === null || horizon > engine.state.clock) engine.passTime(horizon);
    while (this.levels.length < months.length) this.levels.push(levelCounts(engine));
    const tally = tallyEngine(engine, months);
    const report = planReport({
      name: plan.name,
      tally,
      months,
      levels: this.levels,
      decimals: currencyDecimals(source.currency),
      lint: lintOf(source, plan, this.options.profile),
      cap: this.options.cap ?? DEFAULT_COST_CAP,
      rejected: this.rejected,
    });
    this.options.onProgress?.(this.progress(1));
    const time = {
      name: plan.name,
      ms: Math.round(performance.now() - this.started),
      events: this.events,
      orders: this.orders,
      lines: tally.lines,
    };
    return { report, time };
  }

  private progress(fraction: number): Progress {
    const now = performance.now();
    return {
      plan: this.plan.name,
      planIndex: this.index,
      plans: this.count,
      fraction,
      overall: (this.index + fraction) / this.count,
      events: this.events,
      orders: this.orders,
      at: new Date(this.lastAt).toISOString(),
      elapsedMs: now - this.clock.started,
      planElapsedMs: now - this.started,
    };
  }
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
      if (entry.template.kind === 'period')
        delay = Math.max(delay, (entry.template as PeriodTemplate<unknown>).closeDelayDays(entry.params));
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
      if (plan.plan === CURRENT) {
        throw new InputError(
          fail('invalid', '"current" is a tenant\'s own plan: it needs a replay (--tenant); give a plan file for generated data'),
        );
      }
      return Engine.create({
        timezone: params.timezone,
        currency: params.currency,
        plan: plan.plan,
        parsedMembers: data.members,
      });
    },
    lintTarget: (plan) => plan.plan,
    async play(engine, player) {
      for (const batch of data.batches()) {
        for (const event of batch) {
          const wait = player.before(event.at);
          if (wait) await wait;
          player.after(engine.applyParsed(event), event.type === 'order.paid');
        }
      }
    },
  };
}
