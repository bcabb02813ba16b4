import { createHash } from 'node:crypto';
import { tenantLiteral, type Sql } from '../store/sql.ts';
import { applySegments, type ItemResult, type Segment } from './apply-batch.ts';
import { writeAudit, type AuditEntry } from './audit.ts';
import { BatchRows } from './batch-rows.ts';
import { ingestInChunks, type BulkAudit } from './bulk-ingest.ts';
import { PART_EVENTS, PartWriter } from './part-writer.ts';
import { IngestGroups, type Submission } from './ingest-groups.ts';
import { LogWatch } from './log-watch.ts';
import { persistBatch, recordPosition } from './persist.ts';
import { catchUp, loadRuntime, NETWORK_IMPORTED, type TenantRuntime } from './runtime.ts';
import { nextDue } from './scheduler.ts';
import { TenantQueue } from './tenant-queue.ts';

export type { ItemResult } from './apply-batch.ts';

export const MAX_BATCH = 1000;

export interface IngestOptions {
  /** Audit entries to write in the batch's transaction, made from the per-item results. */
  readonly audit?: (results: readonly ItemResult[]) => readonly AuditEntry[];
  /** The items' `at` was stamped by the server on arrival (the client sent none): see serverInstant. */
  readonly serverTime?: boolean;
  /**
   * False for a person's manual act answered at once (an adjustment posted from the console): its
   * refusal goes back to that person, not into the rejected events, the shop integration's record.
   */
  readonly logRejections?: boolean;
}

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
 * transaction with everything it causes. Requests that arrive while the tenant is busy are
 * applied together in the next transaction (group commit), each answered with its own results.
 * If a transaction fails, the in-memory engine is dropped and rebuilt from the log on next use,
 * so memory never runs ahead of the database.
 */
export class Service {
  private readonly runtimes = new Map<string, Promise<TenantRuntime | null>>();
  /** The same runtimes once loaded, for answers that need no wait (peek). */
  private readonly ready = new Map<string, TenantRuntime>();
  private readonly queue = new TenantQueue();
  private readonly groups = new IngestGroups(
    (tenant, task) => this.queue.run(tenant, task),
    (tenant, group) => this.commitGroup(tenant, group),
  );
  private readonly watch: LogWatch;
  /** Tenants with at least one webhook (only they get outbox rows). */
  readonly notifying = new Set<string>();

  /** How far ahead of `now` an event may be (see ServerConfig.maxAheadMs); null: any. */
  aheadLimit: { readonly now: () => number; readonly maxAheadMs: number } | null = null;

  constructor(readonly sql: Sql) {
    this.watch = new LogWatch(sql);
  }

  /** Remembers which tenants have webhooks (they get outbox rows). */
  async loadNotifying(): Promise<void> {
    const rows = (await this.sql.query<{ tenant_id: string }>('select distinct tenant_id from webhooks')).rows;
    for (const row of rows) this.notifying.add(row.tenant_id);
  }

  /** Runs `work` with the tenant's engine caught up to the log, exclusively for the tenant. */
  async withTenant<T>(tenant: string, work: (runtime: TenantRuntime, tx: Sql) => Promise<T>): Promise<T> {
    return this.queue.run(tenant, () => this.exclusive(tenant, work));
  }

  /**
   * `work` in one transaction holding the tenant's advisory lock, its engine caught up under the
   * lock; a commit that moved the log (or the plan) records and announces the new position.
   */
  private async exclusive<T>(tenant: string, work: (runtime: TenantRuntime, tx: Sql) => Promise<T>): Promise<T> {
    // The engine runs ahead of the log from the first event applied until the transaction ends.
    const held: { runtime: TenantRuntime | null } = { runtime: null };
    const literal = tenantLiteral(tenant);
    const generation = this.watch.checkGeneration();
    try {
      return await this.sql.transaction(
        async (tx, first) => {
          const position = first[0] as TenantPosition | undefined;
          const runtime = await this.current(tenant, tx, position ? { position, generation } : undefined);
          held.runtime = runtime;
          runtime.applying = true;
          const result = await work(runtime, tx);
          if (runtime.seq !== runtime.recorded.seq || runtime.planVersions !== runtime.recorded.versions) {
            const position = { seq: runtime.seq, versions: runtime.planVersions };
            await recordPosition(tx, tenant, position);
            runtime.recorded = position;
          }
          return result;
        },
        // The tenant's position comes with BEGIN and the lock: one round trip less per transaction.
        { lock: lockKey(tenant), ...(literal ? { firstRead: positionSql(literal) } : {}) },
      );
    } catch (error) {
      // (A StreamOverlap is refused before anything is applied: the engine is still exact.)
      if (!(error instanceof StreamOverlap)) this.drop(tenant);
      throw error;
    } finally {
      if (held.runtime) held.runtime.applying = false;
    }
  }

  /** Read-only access to a caught-up engine (no lock held across instances). */
  async read<T>(tenant: string, work: (runtime: TenantRuntime) => T): Promise<T> {
    return this.queue.run(tenant, async () => {
      const runtime = await this.current(tenant, this.sql);
      return work(runtime);
    });
  }

  /**
   * Like `read`, answered at once from memory when no events are being applied for the tenant here
   * (the engine holds only committed ones) and no other instance has announced a later position
   * (LogWatch): no query, no wait. For reads that must be fast and can be a moment behind another
   * instance's commit (estimates). Other reads may run meanwhile: they only catch up on committed events.
   */
  async peek<T>(tenant: string, work: (runtime: TenantRuntime) => T): Promise<T> {
    this.watch.start();
    const runtime = this.ready.get(tenant);
    if (runtime && !runtime.applying && this.watch.isCurrent(runtime)) return work(runtime);
    return this.read(tenant, work);
  }

  /**
   * Applies a batch of raw events for a tenant. Each item is answered accepted, duplicate or
   * rejected with its error; the accepted ones and everything they caused commit together, with
   * the audit entries `options.audit` makes of the results (a manual action and its record are
   * one transaction).
   */
  async ingest(
    tenant: string,
    items: readonly unknown[],
    source: string,
    position?: StreamPosition,
    options: IngestOptions = {},
  ): Promise<ItemResult[]> {
    const segment: Segment = {
      items,
      source,
      serverTime: options.serverTime === true,
      ...(options.logRejections === false ? { logRejections: false } : {}),
    };
    const audit = options.audit;
    const within = audit ? (tx: Sql, results: readonly ItemResult[]) => writeAudit(tx, tenant, audit(results)) : undefined;
    if (!position) return this.groups.submit(tenant, segment, within);
    return this.withTenant(tenant, async (runtime, tx) => {
      const consumed = await consumedUpTo(tx, tenant, position);
      if (consumed >= position.seq) return items.map(() => ({ status: 'duplicate' as const }));
      if (consumed >= (position.first ?? position.seq)) throw new StreamOverlap(tenant, position);
      const [results] = await this.applyAndPersist(runtime, tx, tenant, [segment]);
      await tx.query(
        `insert into stream_offsets (tenant_id, stream, seq) values ($1, $2, $3)
         on conflict (tenant_id, stream) do update set seq = excluded.seq`,
        [tenant, position.stream, position.seq],
      );
      if (within) await within(tx, results!);
      return results!;
    });
  }

  /** The latest instant an event may have now, for a segment (nothing without a limit). */
  private notAfter(): { notAfter?: number } {
    return this.aheadLimit ? { notAfter: this.aheadLimit.now() + this.aheadLimit.maxAheadMs } : {};
  }

  /**
   * Applies a long list of events (a backfill) in order, in transactions of BULK_CHUNK events,
   * pipelined (see ingestInChunks). Not atomic as a whole: when it fails, the chunks committed
   * so far stay, and sending the same list again answers them duplicate.
   */
  async ingestBulk(tenant: string, items: readonly unknown[], source: string, audit?: BulkAudit): Promise<ItemResult[]> {
    return this.queue.run(tenant, async () => {
      const runtime = await this.current(tenant, this.sql);
      runtime.applying = true;
      try {
        return await ingestInChunks(
          { sql: this.sql, tenant, runtime, notify: this.notifying.has(tenant), lock: lockKey(tenant), ...this.notAfter() },
          items,
          source,
          audit,
        );
      } catch (error) {
        this.drop(tenant);
        throw error;
      } finally {
        runtime.applying = false;
      }
    });
  }

  /**
   * Runs `work` in the tenant's exclusive transaction (engine caught up, queue and advisory lock
   * held) with `apply`, which applies events like `ingest` inside that transaction. For manual
   * actions that check or write rows of their own with the events they cause (payout batches,
   * result imports, audit entries): all of it commits, or none of it.
   */
  async transact<T>(
    tenant: string,
    work: (
      tx: Sql,
      apply: (items: readonly unknown[], source: string, options?: Pick<IngestOptions, 'serverTime'>) => Promise<ItemResult[]>,
    ) => Promise<T>,
  ): Promise<T> {
    return this.withTenant(tenant, (runtime, tx) =>
      work(
        tx,
        async (items, source, options) =>
          (await this.applyAndPersist(runtime, tx, tenant, [{ items, source, serverTime: options?.serverTime === true }]))[0]!,
      ),
    );
  }

  /** A group's turn: all of it in one transaction; if that fails, each submission on its own. */
  private async commitGroup(tenant: string, group: readonly Submission[]): Promise<void> {
    const run = (submissions: readonly Submission[]) =>
      this.exclusive(tenant, async (runtime, tx) => {
        const results = await this.applyAndPersist(runtime, tx, tenant, submissions);
        for (const [index, submission] of submissions.entries()) await submission.within?.(tx, results[index]!);
        return results;
      });
    try {
      const results = await run(group);
      group.forEach((submission, index) => submission.resolve(results[index]!));
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      // One request's failure (a row the database refuses…) must not fail the others with it.
      for (const submission of group) {
        try {
          submission.resolve((await run([submission]))[0]!);
        } catch (alone) {
          submission.reject(alone);
        }
      }
    }
  }

  private async applyAndPersist(
    runtime: TenantRuntime,
    tx: Sql,
    tenant: string,
    segments: readonly Segment[],
  ): Promise<ItemResult[][]> {
    const events = segments.reduce((sum, segment) => sum + segment.items.length, 0);
    const parts = PartWriter.worthIt(events) ? new PartWriter(tx, tenant) : null;
    const split = parts ? { every: PART_EVENTS, flush: (part: BatchRows) => parts.write(part) } : undefined;
    // Every path of events into the engine (requests, the stream, manual acts, result imports)
    // passes here or through ingestBulk: the ahead-limit is set once for them.
    const limited = segments.map((segment) => ({ ...segment, ...this.notAfter() }));
    let applied: Awaited<ReturnType<typeof applySegments>>;
    try {
      applied = await applySegments(runtime, tx, tenant, limited, this.notifying.has(tenant), undefined, split);
    } catch (error) {
      // Nothing of a part may run after the rollback; a part's failure (which aborted the
      // transaction: the apply's later query failed of it) is the cause worth reporting.
      throw (await parts?.settled()) ?? error;
    }
    const { results, rows } = applied;
    await parts?.done();
    const position = { seq: runtime.seq, versions: runtime.planVersions };
    if (await persistBatch(tx, tenant, rows, position)) runtime.recorded = position;
    return results;
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
      rows.events.push({
        seq: runtime.seq,
        key: null,
        type: NETWORK_IMPORTED,
        at,
        payload: { type: NETWORK_IMPORTED, members },
        source,
      });
      await persistBatch(tx, tenant, rows);
      return { seq: runtime.seq, members: members.length };
    });
  }

  /**
   * The tenant's engine, caught up with the log (rebuilt if its plan versions changed), and whether
   * it has webhooks, as the database holds them. `checked` is the tenant's position as the
   * transaction's first read found it (under the lock, in the round trip of BEGIN), with the watch
   * generation taken before it; without it, the position is read here.
   */
  private async current(
    tenant: string,
    sql: Sql,
    checked?: { readonly position: TenantPosition; readonly generation: number },
  ): Promise<TenantRuntime> {
    let pending = this.runtimes.get(tenant);
    if (!pending) {
      pending = loadRuntime(sql, tenant);
      this.runtimes.set(tenant, pending);
    }
    let runtime = await pending;
    if (!runtime) {
      this.drop(tenant);
      throw new UnknownTenant(tenant);
    }
    // Taken before the check: a commit after the check's snapshot is announced in this generation.
    const generation = checked?.generation ?? this.watch.checkGeneration();
    const state =
      checked?.position ??
      (await sql.query<TenantPosition>(positionSql('$1'), [tenant], { name: 'fenyong_tenant_position' })).rows[0]!;
    // A webhook may have been created or removed through another instance: outbox rows follow the database.
    if (state.notifying) this.notifying.add(tenant);
    else this.notifying.delete(tenant);
    if (Number(state.versions) !== runtime.planVersions || Number(state.last_seq) < runtime.seq) {
      runtime = (await loadRuntime(sql, tenant))!;
      this.runtimes.set(tenant, Promise.resolve(runtime));
    } else if (Number(state.last_seq) > runtime.seq) {
      await catchUp(sql, runtime, Number(state.last_seq));
    }
    runtime.watchGeneration = generation;
    runtime.recorded = { seq: runtime.seq, versions: runtime.planVersions };
    this.ready.set(tenant, runtime);
    return runtime;
  }

  /** Forgets a tenant's in-memory engine (after a plan change, or to force a rebuild). */
  forget(tenant: string): void {
    this.drop(tenant);
  }

  private drop(tenant: string): void {
    this.runtimes.delete(tenant);
    this.ready.delete(tenant);
  }

  /** Stops listening for other instances' commits (the database itself is closed by its owner). */
  async close(): Promise<void> {
    await this.watch.close();
  }
}

export class UnknownTenant extends Error {
  constructor(readonly tenant: string) {
    super(`tenant ${tenant} does not exist`);
  }
}

/** A tenant's log position, plan version count and whether it has webhooks, as the database holds them. */
interface TenantPosition {
  readonly last_seq: string;
  readonly versions: string;
  readonly notifying: boolean;
}

/** The read of a tenant's position, for the tenant given as `$1` or as a literal (tenantLiteral). */
function positionSql(tenant: string): string {
  return `select last_seq::text as last_seq, (select count(*) from plan_versions where tenant_id = ${tenant})::text as versions,
                 exists (select 1 from webhooks where tenant_id = ${tenant}) as notifying
            from tenants where id = ${tenant}`;
}

/** A multi-message batch of which a part was consumed meanwhile (StreamPosition.first): retry. */
export class StreamOverlap extends Error {
  constructor(
    readonly tenant: string,
    readonly position: StreamPosition,
  ) {
    super(
      `stream ${position.stream} of tenant ${tenant}: messages ${position.first}..${position.seq} were partly consumed already`,
    );
  }
}

/** A stable 63-bit advisory lock key per tenant. */
export function lockKey(tenant: string): string {
  let key = lockKeys.get(tenant);
  if (key === undefined) {
    key = BigInt.asIntN(
      64,
      BigInt('0x' + createHash('sha256').update(`fenyong:${tenant}`).digest('hex').slice(0, 16)),
    ).toString();
    if (lockKeys.size >= 100_000) lockKeys.clear();
    lockKeys.set(tenant, key);
  }
  return key;
}

/** Lock keys computed so far (a hash per transaction showed in profiles). */
const lockKeys = new Map<string, string>();

/** The stored offset of the tenant in the stream (0 when nothing was consumed yet). */
async function consumedUpTo(tx: Sql, tenant: string, position: StreamPosition): Promise<number> {
  const rows = (
    await tx.query<{ seq: string }>('select seq::text as seq from stream_offsets where tenant_id = $1 and stream = $2', [
      tenant,
      position.stream,
    ])
  ).rows;
  return rows.length > 0 ? Number(rows[0]!.seq) : 0;
}
