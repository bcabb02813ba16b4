import type { Sql } from '../store/sql.ts';
import { applySegments, type ItemResult } from './apply-batch.ts';
import { writeAudit, type AuditEntry } from './audit.ts';
import { prepareLargeBatch, recordPosition, type LargeBatchWrites } from './persist.ts';
import type { LogPosition, TenantRuntime } from './runtime.ts';

/** Events per transaction of a bulk ingestion. */
export const BULK_CHUNK = 2500;

/** Audit entries for a chunk's results; `offset` is the chunk's first index in the whole list. */
export type BulkAudit = (results: readonly ItemResult[], offset: number) => readonly AuditEntry[];

export interface BulkContext {
  readonly sql: Sql;
  readonly tenant: string;
  readonly runtime: TenantRuntime;
  /** Whether the tenant has webhooks (its effects get outbox rows). */
  readonly notify: boolean;
  readonly lock: string;
  /** The latest instant an event may have (see Service.aheadLimit); none when absent. */
  readonly notAfter?: number;
}

/** A chunk whose transaction found the tenant's log moved by someone else: nothing of it was written. */
export class LogMoved extends Error {
  constructor(tenant: string, expected: LogPosition, found: LogPosition | null) {
    super(
      `tenant ${tenant}: the log is at ${found ? `${found.seq} (${found.versions} plan versions)` : 'nothing'}, not ${expected.seq} (${expected.versions}): another writer came in between`,
    );
  }
}

/**
 * Applies a long list of events (a backfill) in chunks of BULK_CHUNK, each chunk in its own
 * transaction, pipelined: the engine applies the next chunk while the database writes the last
 * ones, so the server's CPU and PostgreSQL's work side by side instead of taking turns. On
 * PostgreSQL two chunks' transactions overlap as well (two backends at work): a chunk inserts its
 * new rows (log, postings, the awards it made) while the chunk before still writes, and does the rest
 * (balances, the awards it settled or adjusted: rows earlier chunks wrote) only once that one has
 * committed. Chunks commit in order; each transaction checks under the tenant's lock that the log
 * is where the chunk started (no other writer came in between) and records where it ends. The
 * caller holds the tenant's turn throughout; when anything fails it must drop the engine (it ran
 * ahead), and the chunks committed so far stay (a retry answers them duplicate).
 */
export async function ingestInChunks(
  ctx: BulkContext,
  items: readonly unknown[],
  source: string,
  audit?: BulkAudit,
): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  // PGlite has one connection: a second transaction would wait for it while the first waits for the second.
  const overlap = ctx.sql.kind === 'postgres';
  let last: ChunkWrite | null = null;
  let before: ChunkWrite | null = null;
  try {
    for (let start = 0; start < items.length; start += BULK_CHUNK) {
      const base = position(ctx.runtime);
      // Identities are read from the committed log, plus what the chunks being written accepted.
      const applied = await applySegments(
        ctx.runtime,
        ctx.sql,
        ctx.tenant,
        [
          {
            items: items.slice(start, start + BULK_CHUNK),
            source,
            ...(ctx.notAfter === undefined ? {} : { notAfter: ctx.notAfter }),
          },
        ],
        ctx.notify,
        acceptedInFlight(before, last),
      );
      const writes = prepareLargeBatch(ctx.tenant, applied.rows);
      // At most two transactions at once: this one opens when the one before the last has
      // committed (a failure stops here).
      if (before) await before.committed;
      if (last && !overlap) await last.committed;
      const chunk = applied.results[0]!;
      const end = position(ctx.runtime);
      const write = writeChunk(ctx, writes, base, end, audit?.(chunk, start) ?? [], overlap ? last : null);
      before = last;
      last = { committed: write, accepted: applied.accepted };
      for (const result of chunk) results.push(result);
    }
    if (last) await last.committed;
  } catch (error) {
    // Never leave a transaction behind: the caller's next use of the tenant must see its outcome.
    await before?.committed.catch(() => undefined);
    await last?.committed.catch(() => undefined);
    throw error;
  }
  return results;
}

function position(runtime: TenantRuntime): LogPosition {
  return { seq: runtime.seq, versions: runtime.planVersions };
}

/** A chunk's transaction: when it has committed, and what it accepted. */
interface ChunkWrite {
  readonly committed: Promise<void>;
  readonly accepted: ReadonlyMap<string, unknown>;
}

/** Identities accepted by the chunks whose transactions may not have committed yet. */
function acceptedInFlight(before: ChunkWrite | null, last: ChunkWrite | null): ReadonlyMap<string, unknown> {
  if (!last) return new Map();
  if (!before || before.accepted.size === 0) return last.accepted;
  return new Map([...before.accepted, ...last.accepted]);
}

/**
 * Writes a chunk in its own transaction; resolves once it has committed. With `previous` (a chunk
 * whose transaction may still be open), the new rows go in at once and the rest waits for
 * `previous` to commit (and rolls back if it failed); the tenant's lock is taken then, so the
 * instances' writers still take turns.
 */
function writeChunk(
  ctx: BulkContext,
  writes: LargeBatchWrites,
  base: LogPosition,
  end: LogPosition,
  audit: readonly AuditEntry[],
  previous: ChunkWrite | null,
): Promise<void> {
  const committed = ctx.sql
    .transaction(
      async (tx) => {
        await writes.insertNew(tx);
        if (previous) {
          await previous.committed;
          await tx.query('select pg_advisory_xact_lock($1::bigint)', [ctx.lock], { name: 'fenyong_tenant_lock' });
        }
        const found = await recordedPosition(tx, ctx.tenant);
        if (!found || found.seq !== base.seq || found.versions !== base.versions) throw new LogMoved(ctx.tenant, base, found);
        await writes.changeExisting(tx);
        await recordPosition(tx, ctx.tenant, end);
        if (audit.length > 0) await writeAudit(tx, ctx.tenant, audit);
      },
      // Without a transaction before it, the lock is taken at once (with BEGIN, one round trip).
      previous ? {} : { lock: ctx.lock },
    )
    .then(() => {
      ctx.runtime.recorded = end;
    });
  committed.catch(() => undefined); // (handled where it is awaited)
  return committed;
}

/** The tenant's log position and plan version count as the database holds them. */
async function recordedPosition(tx: Sql, tenant: string): Promise<LogPosition | null> {
  const row = (
    await tx.query<{ seq: string; versions: string }>(
      `select last_seq::text as seq, (select count(*) from plan_versions where tenant_id = $1)::text as versions from tenants where id = $1`,
      [tenant],
      { name: 'fenyong_recorded_position' },
    )
  ).rows[0];
  return row ? { seq: Number(row.seq), versions: Number(row.versions) } : null;
}
