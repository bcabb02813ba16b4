import type { Sql } from '../store/sql.ts';
import { applySegments, type ItemResult } from './apply-batch.ts';
import { writeAudit, type AuditEntry } from './audit.ts';
import type { BatchRows } from './batch-rows.ts';
import { persistBatch, recordPosition } from './persist.ts';
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
 * one, so the server's CPU and PostgreSQL's work side by side instead of taking turns. Chunks
 * commit in order; each transaction checks under the tenant's lock that the log is where the
 * chunk started (no other writer came in between) and records where it ends. The caller holds
 * the tenant's turn throughout; when anything fails it must drop the engine (it ran ahead), and
 * the chunks committed so far stay (a retry answers them duplicate).
 */
export async function ingestInChunks(
  ctx: BulkContext,
  items: readonly unknown[],
  source: string,
  audit?: BulkAudit,
): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  let writing: Promise<void> | null = null;
  let inFlight: ReadonlyMap<string, unknown> = new Map();
  try {
    for (let start = 0; start < items.length; start += BULK_CHUNK) {
      const base = position(ctx.runtime);
      // Identities are read from the committed log, plus what the chunk being written accepted.
      const applied = await applySegments(
        ctx.runtime,
        ctx.sql,
        ctx.tenant,
        [{ items: items.slice(start, start + BULK_CHUNK), source }],
        ctx.notify,
        inFlight,
      );
      if (writing) await writing;
      const chunk = applied.results[0]!;
      writing = writeChunk(ctx, applied.rows, base, position(ctx.runtime), audit?.(chunk, start) ?? []);
      writing.catch(() => undefined); // (handled where it is awaited, after the next chunk is applied)
      inFlight = applied.accepted;
      for (const result of chunk) results.push(result);
    }
    if (writing) await writing;
  } catch (error) {
    // Never leave a transaction behind: the caller's next use of the tenant must see its outcome.
    await writing?.catch(() => undefined);
    throw error;
  }
  return results;
}

function position(runtime: TenantRuntime): LogPosition {
  return { seq: runtime.seq, versions: runtime.planVersions };
}

async function writeChunk(
  ctx: BulkContext,
  rows: BatchRows,
  base: LogPosition,
  end: LogPosition,
  audit: readonly AuditEntry[],
): Promise<void> {
  await ctx.sql.transaction(
    async (tx) => {
      const found = await recordedPosition(tx, ctx.tenant);
      if (!found || found.seq !== base.seq || found.versions !== base.versions) throw new LogMoved(ctx.tenant, base, found);
      if (!(await persistBatch(tx, ctx.tenant, rows, end))) await recordPosition(tx, ctx.tenant, end);
      if (audit.length > 0) await writeAudit(tx, ctx.tenant, audit);
    },
    { lock: ctx.lock },
  );
  ctx.runtime.recorded = end;
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
