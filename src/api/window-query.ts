import { z } from 'zod';
import type { Sql } from '../store/sql.ts';
import { parseOpenWindow } from '../statements/calendar.ts';

/**
 * `from` and `to` of a list read by instant (`at >= from and at < to`), as the reports read
 * theirs: days and months of the tenant zone, `to` inclusive; or instants, `to` exclusive.
 */
export const windowQuery = {
  from: z
    .string()
    .optional()
    .describe(
      'only rows at or after: a day (YYYY-MM-DD) or month (YYYY-MM) of the tenant zone, or an ISO 8601 instant; empty: no lower end',
    ),
  to: z
    .string()
    .optional()
    .describe(
      'only rows before the end of this day or month (inclusive), or before this ISO 8601 instant (exclusive); empty: no upper end',
    ),
};

/**
 * The query's window in ms, null where an end is open (no query when both are). An empty `from=`
 * or `to=` (a form's field left blank) is an open end too.
 */
export async function windowOfQuery(
  sql: Sql,
  tenant: string,
  query: { from?: string | undefined; to?: string | undefined },
): Promise<{ from: number | null; to: number | null }> {
  const from = query.from?.trim() || undefined;
  const to = query.to?.trim() || undefined;
  if (from === undefined && to === undefined) return { from: null, to: null };
  const row = (await sql.query<{ timezone: string }>('select timezone from tenants where id = $1', [tenant])).rows[0];
  return parseOpenWindow(from, to, row?.timezone ?? 'UTC');
}
