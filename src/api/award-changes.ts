import { awardKeyOf } from '../service/award-key.ts';
import type { Sql } from '../store/sql.ts';

/**
 * Polling `GET /v1/awards?after=…`: the awards created or changed since a cursor, each once, in
 * the order of their last change that moved money: by its journal (journals are numbered in log
 * order), then award key.
 *
 * Awards have no index on their last change (one would make every settlement rewrite every index
 * of the row instead of a HOT update), and sorting a tenant's millions of awards for each poll took
 * seconds. The ledger already is the list of changes in order: every change with money moved
 * leaves postings, numbered by journal, which the postings' primary key reads in order. So a poll
 * reads the postings from the cursor's journal on, a window of about a page's worth, takes the
 * awards they touch, and answers those whose last change's journal (`updated_journal`) lies inside
 * the window. An award that changed again later comes with a later window, once. A window may end
 * inside an event (a catch-up tick settling 740,000 awards at once): a page costs about one window
 * wherever it falls. (Ordering by key inside an event, as before, made each page read the whole
 * event again.)
 *
 * What it cannot see: a change that moved no money. An award made at zero appears in plain
 * listings only; a zero award's settlement leaves the award's row at the journal (and log
 * position) of its last change that moved money (persist.ts, awardsQuiet), where a window finds it.
 */

/** Where a poll resumes: past award (journal, key) — or before anything of `journal` when `key` is null. */
export interface ChangeCursor {
  readonly journal: number;
  readonly key: string | null;
}

export interface AwardFilters {
  readonly member: string | null;
  readonly order: string | null;
  readonly period: string | null;
  readonly rule: string | null;
  readonly includeZero: boolean;
}

export interface AwardRow {
  member: string;
  order_id: string | null;
  period: string | null;
  rule: string;
  amount: string;
  status: string;
  change_seq: string;
  change_journal: string | null;
  award_key: string;
}

/** Postings rows read per window, per award asked for (a payment and its settlement: ~3 member rows). */
const ROWS_PER_AWARD = 3;
const MIN_WINDOW_ROWS = 1000;
/** Windows read at most per request when filters leave them empty (the cursor then moves on). */
const MAX_WINDOWS = 20;

interface PostingRow {
  journal: string;
  member: string;
  order_id: string | null;
  period: string | null;
  rule: string;
}

// (Journals are read as text, bigint-safe; the ordering names the table's column: `order by
// journal` would sort by the text of the output column.)
const WINDOW = `
select p.journal::text as journal, p.member, p.order_id, p.period, p.rule from postings p
where p.tenant_id = $1 and p.journal >= $2 and p.member is not null and p.rule is not null
order by p.journal limit $3`;

// Each touched award is looked up by its key (`limit 1` keeps the lookup a nested loop over the
// primary key): a plain join or `award_key = any(…)` was planned, on a table whose statistics were
// older than a bulk load (no ANALYZE since), as a scan of every award of the tenant: 0.4 s a page.
const TOUCHED_AWARDS = `
select a.member, a.order_id, a.period, a.rule, a.amount::text as amount, a.status, a.updated_seq::text as change_seq,
  a.updated_journal::text as change_journal, a.award_key
from unnest($2::text[]) as touched(award_key)
cross join lateral (select * from awards a where a.tenant_id = $1 and a.award_key = touched.award_key limit 1) a
where a.updated_journal between $3 and $4
  and (a.updated_journal > $3 or $5::text is null or a.award_key > $5)
  and ($6::text is null or a.member = $6) and ($7::text is null or a.order_id = $7)
  and ($8::text is null or a.period = $8) and ($9::text is null or a.rule = $9) and ($10 or a.amount <> 0)
order by a.updated_journal, a.award_key limit $11`;

/**
 * Where a poll from log position `seq` starts reading: a journal at or below the first one of the
 * events from `seq` on, above every journal of earlier events; one past the last journal when no
 * event from `seq` on has postings yet (their journals will be above it). Found by halving: the
 * events' positions grow with their journals, and no index has event_seq (asking for the first
 * posting with event_seq >= seq read every posting before it: a second at 4,000,000 postings).
 */
const FIRST_JOURNAL_FROM = `
with recursive halving(low, high) as (
  select 0::bigint, coalesce((select p.journal from postings p where p.tenant_id = $1 order by p.journal desc limit 1), 0) + 1
  union all
  select case when reached then low else middle + 1 end, case when reached then middle else high end
  from (
    select low, high, (low + high) / 2 as middle,
      coalesce((select p.event_seq from postings p where p.tenant_id = $1 and p.journal >= (low + high) / 2
                order by p.journal limit 1) >= $2, true) as reached
    from halving where low < high
  ) step
)
select low::text as journal from halving where low >= high`;

export async function firstJournalFrom(sql: Sql, tenant: string, seq: number): Promise<number> {
  const row = (await sql.query<{ journal: string }>(FIRST_JOURNAL_FROM, [tenant, seq])).rows[0];
  return Number(row!.journal);
}

/** The awards changed after `from` (at most `limit`), and the cursor to pass next time. */
export async function awardChanges(
  sql: Sql,
  tenant: string,
  from: ChangeCursor,
  filters: AwardFilters,
  limit: number,
): Promise<{ rows: AwardRow[]; next: ChangeCursor }> {
  let cursor = from;
  const size = Math.max(MIN_WINDOW_ROWS, limit * ROWS_PER_AWARD);
  for (let windows = 0; windows < MAX_WINDOWS; windows++) {
    const postings = (await sql.query<PostingRow>(WINDOW, [tenant, cursor.journal, size])).rows;
    if (postings.length === 0) return { rows: [], next: cursor };
    // The window ends at the last journal read. When it was cut inside that journal, the rest of
    // the journal touches the same award: a journal with a rule is one award's change.
    const last = Number(postings[postings.length - 1]!.journal);
    const rows = (
      await sql.query<AwardRow>(TOUCHED_AWARDS, [
        tenant,
        awardKeysOf(postings),
        cursor.journal,
        last,
        cursor.key,
        filters.member,
        filters.order,
        filters.period,
        filters.rule,
        filters.includeZero,
        limit,
      ])
    ).rows;
    if (rows.length === limit) {
      // Cut inside the window: resume after the last award answered.
      const end = rows[rows.length - 1]!;
      return { rows, next: { journal: Number(end.change_journal), key: end.award_key } };
    }
    // The whole window answered: the next poll starts after it.
    cursor = { journal: last + 1, key: null };
    if (rows.length > 0 || postings.length < size) return { rows, next: cursor };
  }
  return { rows: [], next: cursor };
}

function awardKeysOf(postings: readonly PostingRow[]): string[] {
  const keys = new Set<string>();
  for (const p of postings) keys.add(awardKeyOf(p.order_id, p.period, p.member, p.rule));
  return [...keys];
}
