import type { AwardRecord } from '../engine/awards.ts';
import { copyLine, CopyWriter, isoInstant } from '../store/copy-text.ts';
import type { Sql } from '../store/sql.ts';
import type { BatchRows, OutboxRow } from './batch-rows.ts';
import { awardKeyOf } from './award-key.ts';
import { toJson } from './json.ts';
import { LOG_CHANNEL, logNotice } from './log-watch.ts';
import type { LogPosition } from './runtime.ts';

const iso = isoInstant;

/**
 * JSON of a payload as it came (JSON.stringify without a replacer unless a value holds a
 * bigint, which only payloads made by the service itself can).
 */
function payloadJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return toJson(value);
  }
}

/** Up to this many log entries, a batch is written with one statement instead of COPY. */
const SMALL_BATCH = 64;

/**
 * Writes a batch's rows. A large batch writes the log, postings and new awards with COPY (the
 * cheapest way into PostgreSQL, a few times faster than INSERT … SELECT of the same rows); a small
 * one (a few requests grouped) writes them in one prepared statement, one round trip, which then
 * also records `position` as the tenant's log position and announces it (returns true). The rare
 * rows (rejections, withdrawals, adjustments, notifications) have a statement each.
 */
export async function persistBatch(tx: Sql, tenant: string, rows: BatchRows, position?: LogPosition): Promise<boolean> {
  const small = position !== undefined && rows.events.length > 0 && rows.events.length <= SMALL_BATCH;
  if (!small) {
    const writes = prepareLargeBatch(tenant, rows);
    await writes.insertNew(tx);
    await writes.changeExisting(tx);
    return false;
  }
  await persistSmall(tx, tenant, rows, position);
  // (Rare: a zero award settled. Its row keeps its position, which the statement above cannot.)
  if (rows.awardsQuiet.size > 0)
    await updateAwards(
      tx,
      tenant,
      [...rows.awardsQuiet].map((x) => [x, rows.awards.get(x)!]),
      rows,
    );
  await persistRare(tx, tenant, rows);
  if (rows.outbox.length > 0) await insertOutbox(tx, tenant, rows.outbox);
  return true;
}

/** A statement with its data made, to run in the batch's transaction. */
type Write = (tx: Sql) => Promise<void>;

/**
 * A large batch's writes in two parts, their data made before its transaction opens (PostgreSQL
 * then goes from one statement to the next without waiting for this process, busy applying the
 * next chunk in a bulk ingestion).
 */
export interface LargeBatchWrites {
  /**
   * Rows no other batch has or will have (its log entries, postings and the awards it made): they
   * may be written while the batch before commits (src/service/bulk-ingest.ts).
   */
  readonly insertNew: Write;
  /**
   * What adds to or changes rows earlier batches wrote (balances, their awards settled or
   * adjusted), and the rare rows: only once every earlier batch has committed.
   */
  readonly changeExisting: Write;
}

export function prepareLargeBatch(tenant: string, rows: BatchRows): LargeBatchWrites {
  const inserts = [eventsWrite(tenant, rows), postingsWrite(tenant, rows), createdAwardsWrite(tenant, rows)];
  const balances = balancesWrite(tenant, rows);
  const changed = [...rows.awards].filter(([x]) => !rows.awardsCreated.has(x));
  const outbox = outboxWrite(tenant, rows.outbox);
  return {
    insertNew: async (tx) => {
      for (const write of inserts) await write?.(tx);
    },
    changeExisting: async (tx) => {
      await balances?.(tx);
      if (changed.length > 0) await updateAwards(tx, tenant, changed, rows);
      await persistRare(tx, tenant, rows);
      await outbox?.(tx);
    },
  };
}

/** Rejections, withdrawals and adjustments: a few rows now and then, a statement each. */
async function persistRare(tx: Sql, tenant: string, rows: BatchRows): Promise<void> {
  if (rows.rejected.length > 0) {
    const r = rows.rejected;
    await tx.query(
      `insert into rejected_events (tenant_id, event_key, type, payload, code, message, path, source)
       select $1, * from unnest($2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::jsonb[], $8::text[])`,
      [
        tenant,
        r.map((x) => x.key),
        r.map((x) => x.type),
        r.map((x) => toJson(x.payload ?? null)),
        r.map((x) => x.code),
        r.map((x) => x.message),
        r.map((x) => toJson(x.path ?? [])),
        r.map((x) => x.source),
      ],
    );
  }
  await persistWithdrawals(tx, tenant, rows);
  await persistAdjustments(tx, tenant, rows);
}

/**
 * Notifications for the tenant's webhooks, a few per event: with COPY in a large batch (no
 * array literal of JSON texts to build and parse), with one statement in a small one (a COPY
 * waits for the server's go-ahead: one more round trip).
 */
function outboxWrite(tenant: string, outbox: readonly OutboxRow[]): Write | null {
  if (outbox.length === 0) return null;
  const data = new CopyWriter();
  for (const x of outbox) data.text(tenant).tab().text(x.topic).tab().text(toJson(x.payload)).tab().int(x.eventSeq).end();
  const pieces = data.finish();
  return (tx) => tx.copy('outbox', ['tenant_id', 'topic', 'payload', 'event_seq'], pieces);
}

async function insertOutbox(tx: Sql, tenant: string, outbox: readonly OutboxRow[]): Promise<void> {
  await tx.query(
    `insert into outbox (tenant_id, topic, payload, event_seq) select $1, * from unnest($2::text[], $3::jsonb[], $4::bigint[])`,
    [tenant, outbox.map((x) => x.topic), outbox.map((x) => toJson(x.payload)), outbox.map((x) => x.eventSeq)],
  );
}

/** Records the tenant's log position and announces it to every instance (LogWatch) at commit. */
export async function recordPosition(tx: Sql, tenant: string, position: LogPosition): Promise<void> {
  await tx.query(
    'with moved as (update tenants set last_seq = $2 where id = $1) select pg_notify($3, $4)',
    [tenant, position.seq, LOG_CHANNEL, logNotice(tenant, position.seq, position.versions)],
    {
      name: 'fenyong_record_position',
    },
  );
}

/** The log, postings, balances, awards and the tenant's position: one statement, prepared once. */
const SMALL_WRITE = `
with logged as (
  insert into events (tenant_id, seq, event_key, type, at, payload, source)
  select $1, * from unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[], $7::text[])
), posted as (
  insert into postings (tenant_id, journal, line, event_seq, at, kind, account, member, amount, order_id, period, rule, refund_id, withdrawal_id, adjustment_id)
  select $1, * from unnest($8::bigint[], $9::smallint[], $10::bigint[], $11::timestamptz[], $12::text[], $13::text[], $14::text[], $15::bigint[],
                           $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[])
), balanced as (
  insert into balances (tenant_id, member, pending, available)
  select $1, * from unnest($22::text[], $23::bigint[], $24::bigint[])
  on conflict (tenant_id, member) do update
    set pending = balances.pending + excluded.pending, available = balances.available + excluded.available
), awarded as (
  insert into awards (tenant_id, award_key, member, order_id, period, rule, amount, status, updated_seq, updated_journal)
  select $1, * from unnest($25::text[], $26::text[], $27::text[], $28::text[], $29::text[], $30::bigint[], $31::text[], $32::bigint[], $33::bigint[])
  on conflict (tenant_id, award_key) do update set amount = excluded.amount, status = excluded.status, updated_seq = excluded.updated_seq,
    updated_journal = coalesce(excluded.updated_journal, awards.updated_journal)
), moved as (
  update tenants set last_seq = $34 where id = $1
)
select pg_notify($35, $36)`;

async function persistSmall(tx: Sql, tenant: string, rows: BatchRows, position: LogPosition): Promise<void> {
  const e = rows.events;
  const p = rows.postings;
  const deltas = rows.balanceDeltas;
  const members = [...deltas.keys()];
  const a = rows.awardsQuiet.size > 0 ? [...rows.awards].filter(([x]) => !rows.awardsQuiet.has(x)) : [...rows.awards];
  await tx.query(
    SMALL_WRITE,
    [
      tenant,
      e.map((x) => x.seq),
      e.map((x) => x.key),
      e.map((x) => x.type),
      e.map((x) => iso(x.at)),
      e.map((x) => payloadJson(x.payload)),
      e.map((x) => x.source),
      p.journals,
      p.lines,
      p.seqs,
      p.ats.map(iso),
      p.kinds,
      p.accounts,
      p.members,
      p.amounts.map(String),
      p.refs.map((r) => r.order ?? null),
      p.refs.map((r) => r.period ?? null),
      p.refs.map((r) => r.rule ?? null),
      p.refs.map((r) => r.refund ?? null),
      p.refs.map((r) => r.withdrawal ?? null),
      p.refs.map((r) => r.adjustment ?? null),
      members,
      members.map((m) => String(deltas.get(m)!.pending)),
      members.map((m) => String(deltas.get(m)!.available)),
      a.map(([x]) => awardKey(x)),
      a.map(([x]) => x.to),
      a.map(([x]) => x.order ?? null),
      a.map(([x]) => x.period ?? null),
      a.map(([x]) => x.rule),
      a.map(([x]) => String(x.amount)),
      a.map(([x]) => x.status),
      a.map(([, seq]) => seq),
      a.map(([x]) => rows.awardJournals.get(x) ?? null),
      position.seq,
      LOG_CHANNEL,
      logNotice(tenant, position.seq, position.versions),
    ],
    { name: 'fenyong_small_write_2' },
  );
}

function eventsWrite(tenant: string, rows: BatchRows): Write | null {
  if (rows.events.length === 0) return null;
  const data = new CopyWriter();
  for (const e of rows.events) {
    data.text(tenant).tab().int(e.seq).tab().nullable(e.key).tab().text(e.type).tab().text(iso(e.at)).tab();
    data.text(payloadJson(e.payload)).tab().text(e.source).end();
  }
  const pieces = data.finish();
  return (tx) => tx.copy('events', ['tenant_id', 'seq', 'event_key', 'type', 'at', 'payload', 'source'], pieces);
}

const POSTING_COLUMNS = [
  'tenant_id',
  'journal',
  'line',
  'event_seq',
  'at',
  'kind',
  'account',
  'member',
  'amount',
  'order_id',
  'period',
  'rule',
  'refund_id',
  'withdrawal_id',
  'adjustment_id',
];

function postingsWrite(tenant: string, rows: BatchRows): Write | null {
  const p = rows.postings;
  if (p.length === 0) return null;
  // Postings of one event share its instant: formatted once.
  let lastAt = Number.NaN;
  let at = '';
  const data = new CopyWriter();
  for (let i = 0; i < p.length; i++) {
    if (p.ats[i] !== lastAt) {
      lastAt = p.ats[i]!;
      at = iso(lastAt);
    }
    const r = p.refs[i]!;
    data.text(tenant).tab().int(p.journals[i]!).tab().int(p.lines[i]!).tab().int(p.seqs[i]!).tab().text(at).tab();
    data.text(p.kinds[i]!).tab().text(p.accounts[i]!).tab().nullable(p.members[i]).tab().sum(p.amounts[i]!).tab();
    data.nullable(r.order).tab().nullable(r.period).tab().nullable(r.rule).tab().nullable(r.refund).tab();
    data.nullable(r.withdrawal).tab().nullable(r.adjustment).end();
  }
  const pieces = data.finish();
  return (tx) => tx.copy('postings', POSTING_COLUMNS, pieces);
}

/** Balances are a read model of the member postings: this batch's sums per member, added. */
function balancesWrite(tenant: string, rows: BatchRows): Write | null {
  const deltas = rows.balanceDeltas;
  if (deltas.size === 0) return null;
  const members: string[] = [];
  const pending: string[] = [];
  const available: string[] = [];
  for (const [member, delta] of deltas) {
    members.push(member);
    pending.push(String(delta.pending));
    available.push(String(delta.available));
  }
  return async (tx) => {
    await tx.query(
      `insert into balances (tenant_id, member, pending, available)
       select $1, * from unnest($2::text[], $3::bigint[], $4::bigint[])
       on conflict (tenant_id, member) do update
         set pending = balances.pending + excluded.pending, available = balances.available + excluded.available`,
      [tenant, members, pending, available],
      { name: 'fenyong_add_balances' },
    );
  };
}

const awardKey = (x: AwardRecord) => awardKeyOf(x.order, x.period, x.to, x.rule);

/** The awards the batch made, as they stand after it: new rows (the others are changed by updateAwards). */
function createdAwardsWrite(tenant: string, rows: BatchRows): Write | null {
  if (rows.awardsCreated.size === 0) return null;
  const created = new CopyWriter();
  for (const x of rows.awardsCreated) writeAwardRow(created, tenant, x, rows.awards.get(x)!, rows);
  const pieces = created.finish();
  return (tx) => tx.copy('awards', AWARD_COLUMNS, pieces);
}

/**
 * Nearly always rows written earlier (a settlement, a refund's adjustment): their new state, in
 * place (an award of `rows.awardsQuiet` keeps its position). An award first written now (made at
 * zero, changed later) is inserted with all it has.
 */
async function updateAwards(tx: Sql, tenant: string, changed: readonly [AwardRecord, number][], rows: BatchRows): Promise<void> {
  const keys = changed.map(([x]) => awardKey(x));
  const quiet = rows.awardsQuiet;
  const update = [
    tenant,
    keys,
    changed.map(([x]) => String(x.amount)),
    changed.map(([x]) => x.status),
    changed.map(([x, seq]) => (quiet.size > 0 && quiet.has(x) ? null : seq)),
    changed.map(([x]) => rows.awardJournals.get(x) ?? null),
  ];
  const missing = new Set(
    (await tx.query<{ award_key: string }>(UPDATE_AWARDS, update, { name: 'fenyong_update_awards_4' })).rows.map(
      (row) => row.award_key,
    ),
  );
  if (missing.size === 0) return;
  const absent = new CopyWriter();
  for (const [i, [x, seq]] of changed.entries()) if (missing.has(keys[i]!)) writeAwardRow(absent, tenant, x, seq, rows);
  await tx.copy('awards', AWARD_COLUMNS, absent.finish());
}

/** An award's row as COPY reads it (AWARD_COLUMNS), at log position `seq`. */
function writeAwardRow(data: CopyWriter, tenant: string, x: AwardRecord, seq: number, rows: BatchRows): void {
  data.text(tenant).tab().text(awardKey(x)).tab().text(x.to).tab().nullable(x.order).tab().nullable(x.period).tab();
  data.text(x.rule).tab().amount(x.amount).tab().text(x.status).tab().int(seq).tab().nullableInt(rows.awardJournals.get(x)).end();
}

const AWARD_COLUMNS = [
  'tenant_id',
  'award_key',
  'member',
  'order_id',
  'period',
  'rule',
  'amount',
  'status',
  'updated_seq',
  'updated_journal',
];

/**
 * Brings awards to their new amount and status (and position, unless null: see awardsQuiet; and
 * journal, unless null: see awardJournals); answers the keys that have no row yet. (`not exists`
 * is a hash anti-join; the `not in (…)` it replaces was planned, when the statistics were older
 * than the table, as a scan of every updated row for each changed one: 5.6 s for 7,500 awards.)
 */
const UPDATE_AWARDS = `
with changed as (
  select * from unnest($2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[]) as x(award_key, amount, status, updated_seq, updated_journal)
), updated as (
  update awards a set amount = c.amount, status = c.status, updated_seq = coalesce(c.updated_seq, a.updated_seq),
    updated_journal = coalesce(c.updated_journal, a.updated_journal)
    from changed c where a.tenant_id = $1 and a.award_key = c.award_key
  returning a.award_key
)
select c.award_key from changed c where not exists (select from updated u where u.award_key = c.award_key)`;

/** Withdrawals as they stand after the batch (a request, then each transition, upserted). */
async function persistWithdrawals(tx: Sql, tenant: string, rows: BatchRows): Promise<void> {
  if (rows.withdrawals.length === 0) return;
  const latest = new Map(rows.withdrawals.map((entry) => [entry.record.id, entry]));
  const w = [...latest.values()];
  // A withdrawal requested and decided in one batch: a new row takes the request's position (the
  // list's order and cursor), not the decision's; a row already there keeps its own.
  const requestedSeq = new Map<string, number>();
  for (const entry of rows.withdrawals) if (!requestedSeq.has(entry.record.id)) requestedSeq.set(entry.record.id, entry.eventSeq);
  await tx.query(
    `insert into withdrawals (tenant_id, id, member, at, amount, tax, net, month, event_seq, status, history)
     select $1, * from unnest($2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::bigint[], $10::text[], $11::jsonb[])
     on conflict (tenant_id, id) do update set status = excluded.status, history = excluded.history`,
    [
      tenant,
      w.map((x) => x.record.id),
      w.map((x) => x.record.member),
      w.map((x) => iso(x.record.at)),
      w.map((x) => String(x.record.amount)),
      w.map((x) => String(x.record.tax)),
      w.map((x) => String(x.record.net)),
      w.map((x) => x.record.month),
      w.map((x) => requestedSeq.get(x.record.id)!),
      w.map((x) => x.record.status),
      w.map((x) => toJson(x.record.history.map((h) => ({ ...h, at: iso(h.at) })))),
    ],
  );
}

async function persistAdjustments(tx: Sql, tenant: string, rows: BatchRows): Promise<void> {
  if (rows.adjustments.length === 0) return;
  const text = rows.adjustments
    .map(({ record: a, eventSeq }) => copyLine([tenant, a.id, a.member, iso(a.at), a.amount, a.reason, a.by ?? null, eventSeq]))
    .join('');
  await tx.copy('adjustments', ['tenant_id', 'id', 'member', 'at', 'amount', 'reason', 'by_key', 'event_seq'], text);
}
