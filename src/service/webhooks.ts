import type { Sql } from '../store/sql.ts';
import { DEFAULT_MAX_ATTEMPTS, retryDelayMs } from './webhook-retry.ts';
import { sendDelivery, type AttemptResult } from './webhook-send.ts';
import { claimDue, fanOut, recordAttempt, type ClaimedDelivery, type Settlement } from './webhook-store.ts';

export { verifySignature, signatureHeader, SIGNATURE_HEADER } from './webhook-signature.ts';
export { retryDelayMs, DEFAULT_MAX_ATTEMPTS } from './webhook-retry.ts';

export interface DispatcherOptions {
  /** Wall clock (ms): decides what is due, the retry times and the signature timestamps. */
  readonly now?: () => number;
  /** Pause between passes (default 1 s). */
  readonly intervalMs?: number;
  /** Bound on one HTTP attempt, answer included (default 10 s). */
  readonly timeoutMs?: number;
  /** Attempts before a delivery is `failed` (default 16, see retryDelayMs). */
  readonly maxAttempts?: number;
  /** Deliveries claimed (and sent concurrently) at a time; outbox rows fanned out at a time. */
  readonly batchSize?: number;
  readonly fetch?: typeof fetch;
  /** Runs at the start of every pass (the server refreshes which tenants have webhooks). */
  readonly beforePass?: () => Promise<void>;
  readonly onError?: (error: unknown) => void;
}

/** What one pass did. */
export interface PassReport {
  readonly fannedOut: number;
  readonly attempted: number;
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
}

/** Extra time a claim lasts beyond the HTTP timeout, for writing the outcome. */
const LEASE_MARGIN_MS = 30_000;
/** Bound on the claim rounds of one pass, so that a pass ends even under a steady stream. */
const MAX_ROUNDS = 50;

/**
 * Delivers the transactional outbox to webhooks. Each pass (1) fans new outbox rows out into
 * `webhook_deliveries`, one per subscribed webhook, then (2) claims due deliveries, POSTs them
 * signed, and records each outcome in that same table (the delivery log), retrying failures on a
 * fixed exponential schedule until `maxAttempts`. Every step takes rows with
 * `for update skip locked` (PostgreSQL and PGlite alike), so any number of server instances can
 * dispatch at once without sending a delivery twice (barring a lease running out mid-attempt:
 * delivery is at least once, receivers dedupe on the `id`).
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PassReport> | null = null;
  /** Whether the timer loop runs (start … stop). */
  private active = false;
  /** Set by stop(): a pass in progress finishes its current round and ends. */
  private stopping = false;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly batchSize: number;
  private readonly fetch: typeof fetch;

  constructor(
    private readonly sql: Sql,
    private readonly options: DispatcherOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.batchSize = options.batchSize ?? 50;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Runs a pass now and then `intervalMs` after each pass ends. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.stopping = false;
    const loop = async () => {
      await this.runOnce().catch((error: unknown) => this.options.onError?.(error));
      if (!this.active) return;
      this.timer = setTimeout(() => void loop(), this.intervalMs);
      this.timer.unref();
    };
    void loop();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.active = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass (a pass already running in this dispatcher is joined rather than doubled). */
  runOnce(): Promise<PassReport> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<PassReport> {
    await this.options.beforePass?.();
    let fannedOut = 0;
    for (let round = 0; round < MAX_ROUNDS && !(round > 0 && this.stopping); round++) {
      const { rows } = await fanOut(this.sql, this.now(), this.batchSize);
      fannedOut += rows;
      if (rows < this.batchSize) break;
    }
    const report = { fannedOut, attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    for (let round = 0; round < MAX_ROUNDS && !(round > 0 && this.stopping); round++) {
      const now = this.now();
      const claimed = await claimDue(this.sql, now, now + this.timeoutMs + LEASE_MARGIN_MS, this.batchSize);
      const outcomes = await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
      for (const status of outcomes) {
        report.attempted += 1;
        if (status === 'delivered') report.delivered += 1;
        else if (status === 'failed') report.failed += 1;
        else report.retrying += 1;
      }
      if (claimed.length < this.batchSize) break;
    }
    return report;
  }

  /** Sends one claimed delivery and records how it went. */
  private async attempt(delivery: ClaimedDelivery): Promise<Settlement['status']> {
    const result: AttemptResult =
      delivery.url === null || delivery.secret === null
        ? { ok: false, status: null, error: 'the webhook was removed' }
        : await sendDelivery(
            {
              url: delivery.url,
              secret: delivery.secret,
              deliveryId: `${delivery.webhookId}.${delivery.outboxId}`,
              body: deliveryBody(delivery),
            },
            { nowMs: this.now(), timeoutMs: this.timeoutMs, fetch: this.fetch },
          );
    const now = this.now();
    const settlement: Settlement = result.ok
      ? { status: 'delivered' }
      : delivery.url === null || delivery.attempt >= this.maxAttempts
        ? { status: 'failed' }
        : { status: 'pending', retryAtMs: now + retryDelayMs(delivery.attempt) };
    try {
      await recordAttempt(this.sql, delivery, result, settlement, now);
    } catch (error) {
      // The lease runs out and the delivery is attempted again: at least once.
      this.options.onError?.(error);
    }
    return settlement.status;
  }
}

/** The JSON a receiver gets: `id` is the same for every webhook and every retry of the outbox row. */
export function deliveryBody(delivery: Pick<ClaimedDelivery, 'outboxId' | 'topic' | 'tenant' | 'createdAt' | 'payload'>): string {
  return JSON.stringify({
    id: `evt_${delivery.outboxId}`,
    topic: delivery.topic,
    tenant: delivery.tenant,
    createdAt: delivery.createdAt,
    data: delivery.payload,
  });
}
