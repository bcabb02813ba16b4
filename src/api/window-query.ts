import { z } from 'zod';
import type { Sql } from '../store/sql.ts';
import { iso, parseOpenWindow } from '../statements/calendar.ts';

/**
 * `from` and `to` of a list read by instant (`at >= from and at < to`), as the reports read
 * theirs: days and months of the tenant zone, `to` inclusive; or instants, `to` exclusive.
 */
export const windowQuery = {
  from: z
    .string()
    .optional()
    .describe('only rows at or after: a day (YYYY-MM-DD) or month (YYYY-MM) of the tenant zone, or an ISO 8601 instant'),
  to: z
    .string()
    .optional()
    .describe('only rows before the end of this day or month (inclusive), or before this ISO 8601 instant (exclusive)'),
};

/** The query's window as ISO instants for SQL, null where an end is open (no query when both are). */
export async function windowOfQuery(
  sql: Sql,
  tenant: string,
  query: { from?: string | undefined; to?: string | undefined },
): Promise<{ from: string | null; to: string | null }> {
  if (query.from === undefined && query.to === undefined) return { from: null, to: null };
  const row = (await sql.query<{ timezone: string }>('select timezone from tenants where id = $1', [tenant])).rows[0];
  const window = parseOpenWindow(query.from, query.to, row?.timezone ?? 'UTC');
  return { from: window.from === null ? null : iso(window.from), to: window.to === null ? null : iso(window.to) };
}
