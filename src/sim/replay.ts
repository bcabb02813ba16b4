import { DateTime } from 'luxon';
import { fail, InputError } from '../domain/errors.ts';
import { Engine } from '../engine/engine.ts';
import { NETWORK_IMPORTED, TIME_PASSED } from '../service/runtime.ts';
import { UnknownTenant } from '../service/service.ts';
import type { Sql } from '../store/sql.ts';
import { monthsBetween } from './months.ts';
import { closeHorizon, CURRENT, type EventSource, type PlanInput } from './run.ts';

const PAGE = 5000;

/** A window of whole months: `from` and `to` as `YYYY-MM` or `YYYY-MM-DD`, both months included. */
export interface ReplayWindow {
  readonly from: string;
  readonly to: string;
}

interface PlanVersionRow {
  readonly plan: unknown;
  readonly from: number;
}

/** A tenant's zone, currency and plan versions (the first in force from the start). */
export async function tenantPlans(
  sql: Sql,
  tenant: string,
): Promise<{ timezone: string; currency: string; versions: PlanVersionRow[] }> {
  const row = (
    await sql.query<{ timezone: string; currency: string }>('select timezone, currency from tenants where id = $1', [tenant])
  ).rows[0];
  if (!row) throw new UnknownTenant(tenant);
  const versions = (
    await sql.query<{ plan: unknown; effective_from: string | null }>(
      `select plan, (extract(epoch from effective_from) * 1000)::bigint::text as effective_from
         from plan_versions where tenant_id = $1 order by version`,
      [tenant],
    )
  ).rows.map((version, index) => ({ plan: version.plan, from: index === 0 ? -Infinity : Number(version.effective_from) }));
  if (versions.length === 0) versions.push({ plan: { templates: [] }, from: -Infinity });
  return { ...row, versions };
}

/** Resolves a window's months in the tenant's zone; throws InputError `invalid` when it is not one. */
export function windowMonths(window: ReplayWindow, zone: string) {
  const parse = (text: string, field: string) => {
    const value = /^\d{4}-\d{2}$/.test(text)
      ? DateTime.fromFormat(text, 'yyyy-MM', { zone })
      : /^\d{4}-\d{2}-\d{2}$/.test(text)
        ? DateTime.fromISO(text, { zone })
        : null;
    if (!value?.isValid) throw new InputError(fail('invalid', `replay.${field} must be a month (YYYY-MM) or a day (YYYY-MM-DD)`));
    return value.startOf('month');
  };
  const from = parse(window.from, 'from');
  const to = parse(window.to, 'to').plus({ months: 1 });
  if (to <= from) throw new InputError(fail('invalid', 'replay.to must not be before replay.from'));
  if (to.diff(from, 'months').months > 120) throw new InputError(fail('invalid', 'a replay spans at most 120 months'));
  return monthsBetween(from.toMillis(), to.toMillis(), zone);
}

/**
 * A tenant's own history from the event log, replayed through fresh engines (the store is only
 * read). The what-if choice: a draft plan takes effect at the start of the window, as a new plan
 * version would have — everything before runs under the real plan versions (levels, bindings and
 * balances are what they really were), orders paid in the window are priced by the draft, and so
 * are the window's period closes; real versions that began inside the window are left out. The
 * plan `'current'` replays the real versions throughout: the baseline. Events up to the window's
 * end plus the longest close delay are replayed, then time passes there so every period closes.
 */
export async function replaySource(sql: Sql, tenant: string, window: ReplayWindow): Promise<EventSource> {
  const { timezone, currency, versions } = await tenantPlans(sql, tenant);
  const months = windowMonths(window, timezone);
  const start = months[0]!.start;
  const end = months[months.length - 1]!.end;
  const base = (kept: readonly PlanVersionRow[]) =>
    Engine.create({
      timezone,
      currency,
      plan: kept[0]!.plan,
      laterPlans: kept.slice(1).map((version) => ({ plan: version.plan, from: version.from })),
    });
  const realEngine = base(versions);
  const total = Number(
    (
      await sql.query<{ n: string }>('select count(*)::text as n from events where tenant_id = $1 and at < $2', [
        tenant,
        new Date(closeHorizon(realEngine, end)),
      ])
    ).rows[0]!.n,
  );
  return {
    kind: 'replay',
    timezone,
    currency,
    months,
    description: {
      tenant,
      from: months[0]!.label,
      to: months[months.length - 1]!.label,
      events: total,
      planVersions: versions.length,
    },
    size: { unit: 'events', total },
    engine(plan: PlanInput) {
      if (plan.plan === CURRENT) return base(versions);
      const engine = base(versions.filter((version, index) => index === 0 || version.from < start));
      engine.addPlanVersion(plan.plan, start);
      return engine;
    },
    lintTarget: (plan) => (plan.plan === CURRENT ? versions[versions.length - 1]!.plan : plan.plan),
    async play(engine, player) {
      const horizon = closeHorizon(engine, end);
      let seq = '0';
      for (;;) {
        const page = (
          await sql.query<{ seq: string; at: string; payload: { type?: string; members?: unknown[] } }>(
            `select seq::text as seq, (extract(epoch from at) * 1000)::bigint::text as at, payload
               from events where tenant_id = $1 and seq > $2 order by events.seq limit $3`,
            [tenant, seq, PAGE],
          )
        ).rows;
        for (const row of page) {
          seq = row.seq;
          const type = row.payload.type;
          if (type === NETWORK_IMPORTED) {
            engine.importNetwork(row.payload.members ?? []);
            continue;
          }
          const at = Number(row.at);
          if (at >= horizon) return;
          const wait = player.before(at);
          if (wait) await wait;
          player.after(type === TIME_PASSED ? engine.passTime(at) : engine.apply(row.payload), type === 'order.paid');
        }
        if (page.length < PAGE) return;
      }
    },
  };
}
