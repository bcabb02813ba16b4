import type { Sql, Subscription } from '../store/sql.ts';

/** The channel on which every commit that moves a tenant's log (or its plan) is announced. */
export const LOG_CHANNEL = 'fenyong_log';

/** The NOTIFY payload announcing a tenant's log position and plan version count. */
export function logNotice(tenant: string, seq: number, versions: number): string {
  return `${seq} ${versions} ${tenant}`;
}

const RETRY_MS = 1000;

/** What a runtime must show to be answered from memory. */
export interface Watched {
  readonly tenant: string;
  readonly seq: number;
  readonly planVersions: number;
  /** The watch generation in which its position was last checked against the database. */
  watchGeneration: number;
}

/**
 * Knows, without a query, whether an engine in memory is as current as the database: every
 * commit that moves a tenant's log announces its position (NOTIFY, delivered at commit, to every
 * instance), so a runtime checked while this subscription was live is current until a later
 * position is announced. While the subscription is down nothing is known (reads check the database).
 */
export class LogWatch {
  private subscription: Subscription | null = null;
  private starting: Promise<void> | null = null;
  /** Bumped whenever the subscription comes up or goes down: earlier checks no longer count. */
  private generation = 0;
  private live = false;
  /** After a failed subscription, not before this instant (ms): a database that is down is not asked per request. */
  private retryAt = 0;
  private readonly heads = new Map<string, { seq: number; versions: number }>();

  constructor(private readonly sql: Sql) {}

  /** Subscribes when not subscribed yet (or again after a loss); returns at once. */
  start(): void {
    if (this.live || this.starting || Date.now() < this.retryAt) return;
    this.starting = this.sql
      .listen(
        LOG_CHANNEL,
        (payload) => this.announced(payload),
        () => this.lost(),
      )
      .then((subscription) => {
        this.subscription = subscription;
        this.live = true;
        this.generation += 1;
      })
      .catch(() => {
        this.retryAt = Date.now() + RETRY_MS;
      })
      .finally(() => {
        this.starting = null;
      });
  }

  /** The generation to stamp on a runtime whose position is checked from now on (0: not live). */
  checkGeneration(): number {
    return this.live ? this.generation : 0;
  }

  /** Whether the runtime reflects everything committed for its tenant, as far as announced. */
  isCurrent(runtime: Watched): boolean {
    if (!this.live || runtime.watchGeneration !== this.generation) return false;
    const head = this.heads.get(runtime.tenant);
    return head === undefined || (head.seq <= runtime.seq && head.versions <= runtime.planVersions);
  }

  async close(): Promise<void> {
    this.live = false;
    await this.starting;
    await this.subscription?.close();
    this.subscription = null;
  }

  private announced(payload: string): void {
    const [seq, versions, ...rest] = payload.split(' ');
    const tenant = rest.join(' ');
    const head = this.heads.get(tenant);
    const next = { seq: Number(seq), versions: Number(versions) };
    if (!Number.isSafeInteger(next.seq) || !Number.isSafeInteger(next.versions)) return;
    if (!head) this.heads.set(tenant, next);
    else {
      head.seq = Math.max(head.seq, next.seq);
      head.versions = Math.max(head.versions, next.versions);
    }
  }

  private lost(): void {
    this.live = false;
    this.generation += 1;
    this.subscription = null;
  }
}
