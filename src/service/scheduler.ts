import type { Service } from './service.ts';

/** The next instant something is due for a tenant's engine (a settlement or a period close). */
export function nextDue(runtime: {
  engine: {
    state: { dueSettlements: { peek(): { at: number } | undefined }; dueCloses: { peek(): { at: number } | undefined } };
  };
}): number | null {
  const settlement = runtime.engine.state.dueSettlements.peek()?.at;
  const close = runtime.engine.state.dueCloses.peek()?.at;
  const candidates = [settlement, close].filter((at): at is number => at !== undefined);
  return candidates.length === 0 ? null : Math.min(...candidates);
}

/**
 * In server mode real time passes: every `intervalMs`, each tenant with work due before
 * `now − lagMs` gets a tick at that instant. The lag leaves room for events in flight (events are
 * applied in time order). After downtime the first tick catches up once: due work lives in the
 * engine's state, so it can only run once.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly service: Service,
    private readonly options: { intervalMs: number; lagMs: number; now: () => number; onError?: (error: unknown) => void },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.timer.unref();
    void this.runOnce();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass over every tenant; returns the tenants that were ticked. */
  async runOnce(): Promise<string[]> {
    if (this.running) return [];
    this.running = true;
    const ticked: string[] = [];
    try {
      const until = this.options.now() - this.options.lagMs;
      // A tenant being backfilled (POST /v1/backfill/hold) keeps its time until the hold lapses.
      const tenants = (
        await this.service.sql.query<{ id: string }>(
          'select id from tenants where scheduler_hold_until is null or scheduler_hold_until < now() order by id',
        )
      ).rows;
      for (const { id } of tenants) {
        try {
          if (await this.service.advance(id, until)) ticked.push(id);
        } catch (error) {
          this.options.onError?.(error);
        }
      }
    } finally {
      this.running = false;
    }
    return ticked;
  }
}
