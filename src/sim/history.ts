import { DateTime } from 'luxon';
import { fail, InputError } from '../domain/errors.ts';
import type { Sql } from '../store/sql.ts';
import { NETWORK_IMPORTED } from '../service/runtime.ts';
import { replaySource, tenantPlans } from './replay.ts';
import { CURRENT, simulate, type SimulateOptions, type SimulationReport } from './run.ts';

/**
 * A tenant's own monthly figures over its whole history, for forecasting: its real plan versions
 * replayed from the event log (the same cohort figures as a simulation), over every complete
 * month: the month of the latest event is still running and is left out, and so is the first
 * month unless the history starts on its first day.
 */
export async function tenantHistory(sql: Sql, tenant: string, options: SimulateOptions = {}): Promise<SimulationReport> {
  const { timezone } = await tenantPlans(sql, tenant);
  const span = (
    await sql.query<{ first: string | null; last: string | null }>(
      `select (extract(epoch from min(at)) * 1000)::bigint::text as first, (extract(epoch from max(at)) * 1000)::bigint::text as last
         from events where tenant_id = $1 and type <> $2`,
      [tenant, NETWORK_IMPORTED],
    )
  ).rows[0];
  if (!span?.first || !span.last) throw new InputError(fail('invalid', `tenant ${tenant} has no events yet`));
  // The first month counts only when the history starts on its first day (else it is a part of a month).
  const firstAt = DateTime.fromMillis(Number(span.first), { zone: timezone });
  const first = firstAt.startOf('day').equals(firstAt.startOf('month'))
    ? firstAt.startOf('month')
    : firstAt.startOf('month').plus({ months: 1 });
  const last = DateTime.fromMillis(Number(span.last), { zone: timezone }).startOf('month').minus({ months: 1 });
  if (last < first) throw new InputError(fail('invalid', `tenant ${tenant} has no complete month of history yet`));
  const source = await replaySource(sql, tenant, { from: first.toFormat('yyyy-MM'), to: last.toFormat('yyyy-MM') });
  return simulate(source, [{ name: CURRENT, plan: CURRENT }], options);
}
