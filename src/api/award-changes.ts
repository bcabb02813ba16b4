import { awardKeyOf } from '../service/award-key.ts';
import type { Sql } from '../store/sql.ts';

/**
 * Polling `GET /v1/awards?after=…`: the awards created or changed since a cursor, in the order of
 * their last change (log position, then award key), each once.
 *
 * Awards have no index on their last change (one would make every settlement rewrite every index
 * of the row instead of a HOT update), and sorting a tenant's millions of awards for each poll took
 * seconds. The ledger already is the list of changes in order: every change with money moved
 * leaves postings, numbered by journal, which the postings' primary key reads in order. So a poll
 * reads the postings after the cursor's journal, a window of whole events, takes the awards they
 * touch, and answers those whose last change lies inside the window. An award that changed again
 * later comes with a later window, once.
 *
 * What it cannot see: a change that moved no money. An award made at zero appears in plain
 * listings only; a zero award's settlement leaves the award's row at the position of its last
 * change that moved money (persist.ts, awardsQuiet), where a window finds it.
 */

/** Where a poll resumes: past award (seq, key) — or past every award of `seq` when `key` is null — at journal ≥ `journal`. */
export interface ChangeCursor {
  readonly seq: number;
  readonly key: string | null;
  readonly journal: number;
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
  award_key: string;
}

/** Postings rows read per window, per award asked for (a payment and its settlement: ~3 member rows). */
const ROWS_PER_AWARD = 3;
const MIN_WINDOW_ROWS = 1000;
/** Windows read at most per request when filters leave them empty (the cursor then moves on). */
const MAX_WINDOWS = 20;

interface PostingRow {
  journal: string;
  event_seq: string;
  member: string;
  order_id: string | null;
  period: string | null;
  rule: string;
}

// (Journals are read as text, bigint-safe; the ordering names the table's column: \`order by
// journal\` would sort by the text of the output column.)
const WINDOW = `
select p.journal::text as journal, p.event_seq::text as event_seq, p.member, p.order_id, p.period, p.rule from postings p
where p.tenant_id = $1 and p.journal >= $2 and p.member is not null and p.rule is not null
order by p.journal limit $3`;

const TOUCHED_AWARDS = `
select member, order_id, period, rule, amount::text as amount, status, updated_seq::text as change_seq, award_key from awards
where tenant_id = $1 and award_key = any($2::text[]) and updated_seq <= $3
  and (updated_seq > $4 or (updated_seq = $4 and $5::text is not null and award_key > $5))
  and ($6::text is null or member = $6) and ($7::text is null or order_id = $7)
  and ($8::text is null or period = $8) and ($9::text is null or rule = $9) and ($10 or amount <> 0)
order by updated_seq, award_key limit $11`;

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
  for (let windows = 0; windows < MAX_WINDOWS; windows++) {
    const window = await readWindow(sql, tenant, cursor.journal, Math.max(MIN_WINDOW_ROWS, limit * ROWS_PER_AWARD));
    if (window === null) return { rows: [], next: cursor };
    const rows = (
      await sql.query<AwardRow>(TOUCHED_AWARDS, [
        tenant,
        awardKeysOf(window.postings),
        window.lastSeq,
        cursor.seq,
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
      // Cut inside the window: resume at the first journal of the last answered award's event.
      const last = rows[rows.length - 1]!;
      const seq = Number(last.change_seq);
      return { rows, next: { seq, key: last.award_key, journal: firstJournalOf(window.postings, seq) ?? cursor.journal } };
    }
    // The whole window answered: the next poll starts after it.
    cursor = { seq: window.lastSeq, key: null, journal: window.lastJournal + 1 };
    if (rows.length > 0 || !window.more) return { rows, next: cursor };
  }
  return { rows: [], next: cursor };
}

interface Window {
  readonly postings: PostingRow[];
  /** The last event wholly inside the window. */
  readonly lastSeq: number;
  readonly lastJournal: number;
  /** Whether postings follow the window (it stopped at its size, not at the end of the ledger). */
  readonly more: boolean;
}

/** Award postings from `journal` on: about `size` rows, cut at an event's end (never inside one). */
async function readWindow(sql: Sql, tenant: string, journal: number, size: number): Promise<Window | null> {
  let postings = (await sql.query<PostingRow>(WINDOW, [tenant, journal, size])).rows;
  if (postings.length === 0) return null;
  const more = postings.length === size;
  const lastSeq = postings[postings.length - 1]!.event_seq;
  if (more && postings[0]!.event_seq === lastSeq) {
    // One event fills the window: take all of it, a window's size at a time. (Asking for its
    // postings by event_seq alone read every posting after it: no index has event_seq. The rest
    // of the last journal read is skipped: its lines touch the same award.)
    for (let page = postings; page.length === size && page[page.length - 1]!.event_seq === lastSeq;) {
      page = (await sql.query<PostingRow>(WINDOW, [tenant, Number(page[page.length - 1]!.journal) + 1, size])).rows;
      const own = page.filter((row) => row.event_seq === lastSeq);
      postings = postings.concat(own);
      if (own.length < page.length) break;
    }
  } else if (more) {
    // The last event may go on past the window: leave it to the next one.
    postings = postings.filter((row) => row.event_seq !== lastSeq);
  }
  const end = postings[postings.length - 1]!;
  return { postings, lastSeq: Number(end.event_seq), lastJournal: Number(end.journal), more };
}

function awardKeysOf(postings: readonly PostingRow[]): string[] {
  const keys = new Set<string>();
  for (const p of postings) keys.add(awardKeyOf(p.order_id, p.period, p.member, p.rule));
  return [...keys];
}

function firstJournalOf(postings: readonly PostingRow[], seq: number): number | null {
  for (const p of postings) if (Number(p.event_seq) >= seq) return Number(p.journal);
  return null;
}
