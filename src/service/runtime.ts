import type { Outcome } from '../engine/apply.ts';
import { Engine } from '../engine/engine.ts';
import type { Sql } from '../store/sql.ts';
import type { LoggedEventType } from '../domain/event-types.ts';

/** One tenant's engine in this process, and the log position it reflects. */
export interface TenantRuntime {
  readonly tenant: string;
  readonly engine: Engine;
  /** Sequence number of the last logged event applied to `engine`. */
  seq: number;
  /** Number of plan versions loaded into the engine. */
  planVersions: number;
  /** When its position was last checked against the database (see LogWatch). */
  watchGeneration: number;
  /**
   * The position the tenant's row holds as far as this runtime knows (checked under the lock,
   * then as its own transaction writes it): when the engine is past it, the commit records it.
   */
  recorded: LogPosition;
  /** Events are being applied and their transaction has not ended: the engine is ahead of the log. */
  applying: boolean;
}

/** A tenant's log position and number of plan versions, as its `tenants` row records them. */
export interface LogPosition {
  seq: number;
  versions: number;
}

interface TenantRow {
  timezone: string;
  currency: string;
}

const REPLAY_PAGE = 5000;

/** The log entry of a starting-network import (not an engine event: it has no instant). */
export const NETWORK_IMPORTED = 'network.imported' satisfies LoggedEventType;

/**
 * The log entry of time passing without an accepted event: a rejected event that moved the clock
 * or ran due work. Replayed with `Engine.passTime`, not as a `tick` (a tick re-checks levels and
 * recruiting, a rejected event does not).
 */
export const TIME_PASSED = 'time.passed' satisfies LoggedEventType;

/**
 * Rebuilds a tenant's engine from the store: its plan versions, then every logged event in order.
 * The engine is deterministic, so the replay reproduces exactly the state the log was made from.
 */
export async function loadRuntime(sql: Sql, tenant: string, observe?: ReplayObserver): Promise<TenantRuntime | null> {
  const rows = (await sql.query<TenantRow>('select timezone, currency from tenants where id = $1', [tenant])).rows;
  const row = rows[0];
  if (!row) return null;
  const plans = (
    await sql.query<{ plan: unknown; effective_from: string | null }>(
      `select plan, (extract(epoch from effective_from) * 1000)::bigint::text as effective_from
         from plan_versions where tenant_id = $1 order by version`,
      [tenant],
    )
  ).rows;
  const [first, ...later] = plans;
  const engine = Engine.create({
    timezone: row.timezone,
    currency: row.currency,
    plan: first?.plan ?? { templates: [] },
    laterPlans: later.map((version) => ({ plan: version.plan, from: Number(version.effective_from) })),
  });
  const runtime: TenantRuntime = {
    tenant,
    engine,
    seq: 0,
    planVersions: Math.max(1, plans.length),
    watchGeneration: 0,
    recorded: { seq: 0, versions: 0 },
    applying: false,
  };
  await catchUp(sql, runtime, Number.MAX_SAFE_INTEGER, observe);
  return runtime;
}

/** What a replayed log entry did (null for a network import, which posts nothing): for `fenyong verify`. */
export type ReplayObserver = (seq: number, outcome: Outcome | null) => void;

/** Applies logged events the runtime has not seen (written by another instance, or a replay). */
export async function catchUp(
  sql: Sql,
  runtime: TenantRuntime,
  untilSeq = Number.MAX_SAFE_INTEGER,
  observe?: ReplayObserver,
): Promise<void> {
  for (let guard = 0; guard < 1_000_000; guard++) {
    const page = (
      await sql.query<{ seq: string; payload: unknown }>(
        'select seq::text as seq, payload from events where tenant_id = $1 and seq > $2 and seq <= $3 order by events.seq limit $4',
        [runtime.tenant, runtime.seq, untilSeq, REPLAY_PAGE],
      )
    ).rows;
    for (const event of page) {
      if ((event.payload as { type?: string }).type === NETWORK_IMPORTED) {
        runtime.engine.importNetwork((event.payload as { members: unknown[] }).members);
        runtime.seq = Number(event.seq);
        observe?.(runtime.seq, null);
        continue;
      }
      if ((event.payload as { type?: string }).type === TIME_PASSED) {
        const passed = runtime.engine.passTime(Date.parse((event.payload as { at: string }).at));
        if (passed.status === 'rejected')
          throw new Error(`replay of event ${event.seq} of tenant ${runtime.tenant} was rejected: ${passed.error.message}`);
        runtime.seq = Number(event.seq);
        observe?.(runtime.seq, passed);
        continue;
      }
      const outcome = runtime.engine.apply(event.payload);
      if (outcome.status === 'rejected' && (event.payload as { type?: string }).type !== 'tick') {
        throw new Error(`replay of event ${event.seq} of tenant ${runtime.tenant} was rejected: ${outcome.error.message}`);
      }
      runtime.seq = Number(event.seq);
      observe?.(runtime.seq, outcome);
    }
    if (page.length < REPLAY_PAGE) return;
  }
}
