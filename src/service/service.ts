import { createHash } from 'node:crypto';
import type { EngineError } from '../domain/errors.ts';
import type { Sql } from '../store/sql.ts';
import { writeAudit, type AuditEntry } from './audit.ts';
import { BatchRows } from './batch-rows.ts';
import { fingerprintPayload } from './payload.ts';
import { eventKey } from './event-key.ts';
import { persistBatch } from './persist.ts';
import { catchUp, loadRuntime, NETWORK_IMPORTED, TIME_PASSED, type TenantRuntime } from './runtime.ts';
import { nextDue } from './scheduler.ts';
import { TenantQueue } from './tenant-queue.ts';

export const MAX_BATCH = 1000;

export interface IngestOptions {
  /** Audit entries to write in the batch's transaction, made from the per-item results. */
  readonly audit?: (results: readonly ItemResult[]) => readonly AuditEntry[];
}

export type ItemResult =
  | { readonly status: 'accepted'; readonly seq: number }
  | { readonly status: 'duplicate' }
  | { readonly status: 'rejected'; readonly error: EngineError };

export interface StreamPosition {
  readonly stream: string;
  /** Stream sequence of the batch's last message: stored as the stream's offset. */
  readonly seq: number;
  /**
   * Stream sequence of the batch's first message when the batch spans several messages (default
   * `seq`). If the stored offset is at or past it but before `seq`, part of the batch was consumed
   * meanwhile (a redelivered copy elsewhere): the batch is refused with StreamOverlap, never half
   * applied twice.
   */
  readonly first?: number;
}

/**
 * The imperative shell around the engine: one tenant's events are applied one batch at a time
 * (in this process by a queue, across processes by an advisory lock), each batch in one
 * transaction with everything it causes. If the transaction fails, the in-memory engine is
 * dropped and rebuilt from the log on next use, so memory never runs ahead of the database.
 */
export class Service {
  private readonly runtimes = new Map<string, Promise<TenantRuntime | null>>();
  private readonly queue = new TenantQueue();
  /** Tenants with at least one webhook (only they get outbox rows). */
  readonly notifying = new Set<string>();

  constructor(readonly sql: Sql) {}

  /** Remembers which tenants have webhooks (they get outbox rows). */
  async loadNotifying(): Promise<void> {
    const rows = (await this.sql.query<{ tenant_id: string }>('select distinct tenant_id from webhooks')).rows;
    for (const row of rows) this.notifying.add(row.tenant_id);
  }

  /** Runs `work` with the tenant's engine caught up to the log, exclusively for the tenant. */
  async withTenant<T>(tenant: string, work: (runtime: TenantRuntime, tx: Sql) => Promise<T>): Promise<T> {
    return this.queue.run(tenant, async () => {
      try {
        return await this.sql.transaction(async (tx) => {
          await tx.query('select pg_advisory_xact_lock($1)', [lockKey(tenant)]);
          const runtime = await this.current(tenant, tx);
          return work(runtime, tx);
        });
      } catch (error) {
        // (A StreamOverlap is refused before anything is applied: the engine is still exact.)
        if (!(error instanceof StreamOverlap)) this.runtimes.delete(tenant);
        throw error;
      }
    });
  }

  /** Read-only access to a caught-up engine (no lock held across instances). */
  async read<T>(tenant: string, work: (runtime: TenantRuntime) => T): Promise<T> {
    return this.queue.run(tenant, async () => {
      const runtime = await this.current(tenant, this.sql);
      return work(runtime);
    });
  }

  /**
   * Applies a batch of raw events for a tenant. Each item is answered accepted, duplicate or
   * rejected with its error; the accepted ones and everything they caused commit together, with
   * the audit entries `options.audit` makes of the results (a manual action and its record are
   * one transaction).
   */
  async ingest(tenant: string, items: readonly unknown[], source: string, position?: StreamPosition, options: IngestOptions = {}): Promise<ItemResult[]> {
    return this.withTenant(tenant, async (runtime, tx) => {
      const consumed = position ? await consumedUpTo(tx, tenant, position) : 0;
      if (position && consumed >= position.seq) return items.map(() => ({ status: 'duplicate' as const }));
      if (position && consumed >= (position.first ?? position.seq)) throw new StreamOverlap(tenant, position);
      const results = await this.applyItems(runtime, tx, tenant, items, source);
      if (position) {
        await tx.query(
          `insert into stream_offsets (tenant_id, stream, seq) values ($1, $2, $3)
           on conflict (tenant_id, stream) do update set seq = excluded.seq`,
          [tenant, position.stream, position.seq],
        );
      }
      if (options.audit) await writeAudit(tx, tenant, options.audit(results));
      return results;
    });
  }

  /**
   * Runs `work` in the tenant's exclusive transaction (engine caught up, queue and advisory lock
   * held) with `apply`, which applies events like `ingest` inside that transaction. For manual
   * actions that check or write rows of their own with the events they cause (payout batches,
   * result imports, audit entries): all of it commits, or none of it.
   */
  async transact<T>(tenant: string, work: (tx: Sql, apply: (items: readonly unknown[], source: string) => Promise<ItemResult[]>) => Promise<T>): Promise<T> {
    return this.withTenant(tenant, (runtime, tx) => work(tx, (items, source) => this.applyItems(runtime, tx, tenant, items, source)));
  }

  private async applyItems(runtime: TenantRuntime, tx: Sql, tenant: string, items: readonly unknown[], source: string): Promise<ItemResult[]> {
    const known = await knownKeys(tx, tenant, items);
    const rows = new BatchRows(runtime.engine.settings.decimals);
    const notify = this.notifying.has(tenant);
    const results = items.map((item) => this.applyOne(runtime, item, source, known, rows, notify));
    await persistBatch(tx, tenant, rows);
    await tx.query('update tenants set last_seq = $2 where id = $1', [tenant, runtime.seq]);
    return results;
  }

  private applyOne(
    runtime: TenantRuntime, item: unknown, source: string, known: Map<string, string>, rows: BatchRows, notify: boolean,
  ): ItemResult {
    const key = eventKey(item);
    const explicit = key?.startsWith('id:') ? key : null;
    if (explicit && known.has(explicit)) {
      return known.get(explicit) === fingerprintPayload(item)
        ? { status: 'duplicate' }
        : { status: 'rejected', error: { code: 'conflict', message: `event id ${explicit.slice(3)} was already used for other content`, path: ['id'] } };
    }
    const outcome = runtime.engine.apply(item);
    const type = typeof (item as { type?: unknown })?.type === 'string' ? (item as { type: string }).type : null;
    if (outcome.status === 'applied') {
      runtime.seq += 1;
      rows.events.push({ seq: runtime.seq, key, type: type!, at: runtime.engine.state.clock!, payload: item, source });
      rows.addEffects(outcome, runtime.seq, notify);
      if (type === 'adjustment.posted') {
        const adjustment = runtime.engine.state.adjustments.get(String((item as { adjustment: unknown }).adjustment));
        if (adjustment) rows.adjustments.push({ record: adjustment, eventSeq: runtime.seq });
      }
      if (key) known.set(key, fingerprintPayload(item));
      return { status: 'accepted', seq: runtime.seq };
    }
    const effects = outcome.postings.length + outcome.awards.length + outcome.levels.length + outcome.withdrawals.length > 0;
    if (outcome.clockMoved || effects) {
      // Time passed, or work due at this very instant ran, although the event itself changed
      // nothing: the log keeps an entry at that instant so that a replay does the same. A
      // duplicate re-checked levels like a tick does; a rejected event re-checked nothing.
      runtime.seq += 1;
      const at = runtime.engine.state.clock!;
      const entry = outcome.status === 'duplicate' ? 'tick' : TIME_PASSED;
      rows.events.push({ seq: runtime.seq, key: null, type: entry, at, payload: { type: entry, at: new Date(at).toISOString() }, source: `${source}:time` });
      rows.addEffects(outcome, runtime.seq, notify);
    }
    if (outcome.status === 'duplicate') return { status: 'duplicate' };
    if (key && known.get(key) === fingerprintPayload(item)) {
      // The very event the log already holds, sent again after later events (a client's retry, a
      // redelivery): the engine refuses it as earlier than its clock, but it is a duplicate.
      return { status: 'duplicate' };
    }
    rows.rejected.push({ key, type, payload: item, code: outcome.error.code, message: outcome.error.message, path: outcome.error.path, source });
    return { status: 'rejected', error: outcome.error };
  }

  /**
   * Lets time pass to `at` when something is due by then (and the tenant's clock is earlier):
   * the scheduler's tick. Returns whether a tick was applied.
   */
  async advance(tenant: string, at: number): Promise<boolean> {
    const due = await this.read(tenant, (runtime) => {
      const next = nextDue(runtime);
      const clock = runtime.engine.state.clock;
      return next !== null && next <= at && (clock === null || clock < at);
    });
    if (!due) return false;
    const [result] = await this.ingest(tenant, [{ type: 'tick', at: new Date(at).toISOString() }], 'scheduler');
    return result!.status === 'accepted';
  }

  /** Imports members as the starting network (before the tenant's first event), logged for replay. */
  async importNetwork(tenant: string, members: readonly unknown[], source: string): Promise<{ seq: number; members: number }> {
    return this.withTenant(tenant, async (runtime, tx) => {
      runtime.engine.importNetwork(members);
      runtime.seq += 1;
      const rows = new BatchRows(runtime.engine.settings.decimals);
      const at = 0; // the import has no instant of its own; the log needs one
      rows.events.push({ seq: runtime.seq, key: null, type: NETWORK_IMPORTED, at, payload: { type: NETWORK_IMPORTED, members }, source });
      await persistBatch(tx, tenant, rows);
      await tx.query('update tenants set last_seq = $2 where id = $1', [tenant, runtime.seq]);
      return { seq: runtime.seq, members: members.length };
    });
  }

  /** The tenant's runtime, caught up with the log (and rebuilt if the plan versions changed). */
  private async current(tenant: string, sql: Sql): Promise<TenantRuntime> {
    let pending = this.runtimes.get(tenant);
    if (!pending) {
      pending = loadRuntime(sql, tenant);
      this.runtimes.set(tenant, pending);
    }
    let runtime = await pending;
    if (!runtime) {
      this.runtimes.delete(tenant);
      throw new UnknownTenant(tenant);
    }
    const state = (
      await sql.query<{ last_seq: string; versions: string }>(
        `select last_seq::text as last_seq, (select count(*) from plan_versions where tenant_id = $1)::text as versions
           from tenants where id = $1`,
        [tenant],
      )
    ).rows[0]!;
    if (Number(state.versions) !== runtime.planVersions || Number(state.last_seq) < runtime.seq) {
      runtime = (await loadRuntime(sql, tenant))!;
      this.runtimes.set(tenant, Promise.resolve(runtime));
    } else if (Number(state.last_seq) > runtime.seq) {
      await catchUp(sql, runtime, Number(state.last_seq));
    }
    return runtime;
  }

  /** Forgets a tenant's in-memory engine (after a plan change, or to force a rebuild). */
  forget(tenant: string): void {
    this.runtimes.delete(tenant);
  }
}

export class UnknownTenant extends Error {
  constructor(readonly tenant: string) {
    super(`tenant ${tenant} does not exist`);
  }
}

/** A multi-message batch of which a part was consumed meanwhile (StreamPosition.first): retry. */
export class StreamOverlap extends Error {
  constructor(readonly tenant: string, readonly position: StreamPosition) {
    super(`stream ${position.stream} of tenant ${tenant}: messages ${position.first}..${position.seq} were partly consumed already`);
  }
}

/** A stable 63-bit advisory lock key per tenant. */
export function lockKey(tenant: string): string {
  return BigInt.asIntN(64, BigInt('0x' + createHash('sha256').update(`fenyong:${tenant}`).digest('hex').slice(0, 16))).toString();
}

/** The stored offset of the tenant in the stream (0 when nothing was consumed yet). */
async function consumedUpTo(tx: Sql, tenant: string, position: StreamPosition): Promise<number> {
  const rows = (await tx.query<{ seq: string }>('select seq::text as seq from stream_offsets where tenant_id = $1 and stream = $2', [tenant, position.stream])).rows;
  return rows.length > 0 ? Number(rows[0]!.seq) : 0;
}

/** Event keys (explicit ids and natural identities) of this batch already in the log, with their stored payload. */
async function knownKeys(tx: Sql, tenant: string, items: readonly unknown[]): Promise<Map<string, string>> {
  const keys = items.map(eventKey).filter((key): key is string => key !== null);
  if (keys.length === 0) return new Map();
  const rows = (await tx.query<{ event_key: string; payload: unknown }>(
    'select event_key, payload from events where tenant_id = $1 and event_key = any($2::text[])',
    [tenant, keys],
  )).rows;
  return new Map(rows.map((row) => [row.event_key, fingerprintPayload(row.payload)]));
}
