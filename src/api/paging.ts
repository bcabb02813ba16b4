import { z } from 'zod';

/**
 * Lists paged by a cursor (GET /v1/withdrawals, /v1/adjustments, /v1/events/rejected): ordered by
 * a position no two rows share and that never changes (an event's sequence number, a row's serial
 * id), `limit` rows a page, `next` the position of the page's last row, sent back as `after` for
 * the rows beyond it. Rows added meanwhile come on later pages (oldest first) or not at all
 * (newest first: they are before the first page); none is skipped or given twice.
 */

/** A page of a cursor list as the query asks for it. */
export interface PageRequest {
  /** Newest (highest position) first; else oldest first. */
  readonly newestFirst: boolean;
  /** The `next` of the page before: only rows beyond that position. */
  readonly after: string | null;
  readonly limit: number;
}

/** The query fields of a cursor list, with the list's default order and its default and largest page. */
export function pageQuery(options: { sort: 'asc' | 'desc'; limit: number; max: number }) {
  return {
    sort: z.enum(['asc', 'desc']).default(options.sort).describe('asc: oldest first; desc: newest first'),
    after: z
      .string()
      .regex(/^\d{1,18}$/, 'the `next` of the page before')
      .optional()
      .describe('cursor: `next` of the page before'),
    limit: z.coerce.number().int().min(1).max(options.max).default(options.limit),
  };
}

/** The reply's cursor field. */
export const nextCursor = z.string().nullable().describe('cursor of the next page (`after`), null on the last page');

/** A page request of the parsed query (pageQuery's fields). */
export const pageOfQuery = (query: { sort: 'asc' | 'desc'; after?: string | undefined; limit: number }): PageRequest => ({
  newestFirst: query.sort === 'desc',
  after: query.after ?? null,
  limit: query.limit,
});

/**
 * The SQL of a page ordered by `column`, a bigint named with its table (`w.event_seq`): unqualified,
 * `order by` would take an output column of that name (`id::text as id`) and order it as text.
 * `where` is the condition on the cursor (its parameter `$<after>` is the request's `after`, null
 * for the first page), `order` the order and limit (its parameter `$<fetch>` is `fetch`: one row
 * more than the page, telling whether another follows).
 */
export function pageSql(
  column: string,
  page: PageRequest,
  params: { after: number; fetch: number },
): { where: string; order: string; fetch: number } {
  // Only a column name and parameter numbers ever go into the text (no value: those are parameters).
  if (!/^[a-z_]+(\.[a-z_]+)?$/.test(column)) throw new Error(`not a column name: ${column}`);
  if (!Number.isSafeInteger(params.after) || !Number.isSafeInteger(params.fetch))
    throw new Error('parameter numbers must be integers');
  const beyond = page.newestFirst ? '<' : '>';
  return {
    where: `($${params.after}::bigint is null or ${column} ${beyond} $${params.after})`,
    order: `order by ${column} ${page.newestFirst ? 'desc' : 'asc'} limit $${params.fetch}`,
    fetch: page.limit + 1,
  };
}

/** The page of the rows read with pageSql (one more than the page when another follows) and its `next`. */
export function pageOf<Row>(
  rows: readonly Row[],
  page: PageRequest,
  positionOf: (row: Row) => string,
): { rows: Row[]; next: string | null } {
  const shown = rows.slice(0, page.limit);
  return { rows: shown, next: rows.length > page.limit ? positionOf(shown[shown.length - 1]!) : null };
}
