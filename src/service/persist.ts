import type { Sql } from '../store/sql.ts';
import type { BatchRows } from './batch-rows.ts';
import { toJson } from './json.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Rows as one JSON document, read back with jsonb_to_recordset: much cheaper to send than one
 * parameter array per column (no array-literal escaping), and JSON.stringify without a replacer
 * unless a value holds a bigint.
 */
function rowsJson(rows: readonly object[]): string {
  try {
    return JSON.stringify(rows);
  } catch {
    return toJson(rows);
  }
}

/** Writes a batch's rows with one multi-row statement per table. */
export async function persistBatch(tx: Sql, tenant: string, rows: BatchRows): Promise<void> {
  if (rows.events.length > 0) {
    const e = rows.events;
    await tx.query(
      `insert into events (tenant_id, seq, event_key, type, at, payload, source)
       select $1, x.seq, x.key, x.type, x.at, x.payload, x.source
         from jsonb_to_recordset($2::jsonb) as x(seq bigint, key text, type text, at timestamptz, payload jsonb, source text)`,
      [tenant, rowsJson(e.map((r) => ({ seq: r.seq, key: r.key, type: r.type, at: iso(r.at), payload: r.payload, source: r.source })))],
    );
  }
  if (rows.rejected.length > 0) {
    const r = rows.rejected;
    await tx.query(
      `insert into rejected_events (tenant_id, event_key, type, payload, code, message, path, source)
       select $1, * from unnest($2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::jsonb[], $8::text[])`,
      [tenant, r.map((x) => x.key), r.map((x) => x.type), r.map((x) => toJson(x.payload ?? null)), r.map((x) => x.code), r.map((x) => x.message), r.map((x) => toJson(x.path ?? [])), r.map((x) => x.source)],
    );
  }
  await persistPostings(tx, tenant, rows);
  await persistAwards(tx, tenant, rows);
  await persistWithdrawals(tx, tenant, rows);
  await persistAdjustments(tx, tenant, rows);
  if (rows.outbox.length > 0) {
    const o = rows.outbox;
    await tx.query(
      `insert into outbox (tenant_id, topic, payload, event_seq) select $1, * from unnest($2::text[], $3::jsonb[], $4::bigint[])`,
      [tenant, o.map((x) => x.topic), o.map((x) => toJson(x.payload)), o.map((x) => x.eventSeq)],
    );
  }
}

async function persistPostings(tx: Sql, tenant: string, rows: BatchRows): Promise<void> {
  if (rows.postings.length === 0) return;
  const p = rows.postings;
  // One JSON document of rows (jsonb_to_recordset): far cheaper to send than 14 parameter arrays.
  await tx.query(
    `insert into postings (tenant_id, journal, line, event_seq, at, kind, account, member, amount, order_id, period, rule, refund_id, withdrawal_id, adjustment_id)
     select $1, x.j, x.l, x.s, x.t, x.k, x.a, x.m, x.v, x.o, x.p, x.r, x.rf, x.w, x.ad
       from jsonb_to_recordset($2::jsonb) as x(j bigint, l smallint, s bigint, t timestamptz, k text, a text, m text, v bigint, o text, p text, r text, rf text, w text, ad text)`,
    [
      tenant,
      rowsJson(p.map((x) => {
        const ref = x.posting.ref;
        return {
          j: x.posting.journal, l: x.line, s: x.eventSeq, t: iso(x.posting.at), k: x.posting.kind, a: x.posting.account, m: x.posting.member, v: String(x.posting.amount),
          o: ref.order ?? null, p: ref.period ?? null, r: ref.rule ?? null, rf: ref.refund ?? null, w: ref.withdrawal ?? null, ad: ref.adjustment ?? null,
        };
      })),
    ],
  );
  // Balances are a read model of the member postings of this batch, summed per member.
  const deltas = new Map<string, { pending: bigint; available: bigint }>();
  for (const { posting } of p) {
    if (posting.member === null) continue;
    const delta = deltas.get(posting.member) ?? { pending: 0n, available: 0n };
    if (posting.account === 'pending') delta.pending += posting.amount;
    else delta.available += posting.amount;
    deltas.set(posting.member, delta);
  }
  const members = [...deltas.keys()];
  await tx.query(
    `insert into balances (tenant_id, member, pending, available)
     select $1, * from unnest($2::text[], $3::bigint[], $4::bigint[])
     on conflict (tenant_id, member) do update
       set pending = balances.pending + excluded.pending, available = balances.available + excluded.available`,
    [tenant, members, members.map((m) => String(deltas.get(m)!.pending)), members.map((m) => String(deltas.get(m)!.available))],
  );
}

async function persistAwards(tx: Sql, tenant: string, rows: BatchRows): Promise<void> {
  if (rows.awards.size === 0) return;
  const key = (x: { order?: string | undefined; period?: string | undefined; to: string; rule: string }) =>
    `${x.order !== undefined ? 'order:' + x.order : 'period:' + x.period}/${x.to}/${x.rule}`;
  // An award that only settled keeps its amount, explanations and changes: its row needs only the
  // new status (no need to compute and send its explanations again).
  const settled = [...rows.awards.entries()].filter(([award]) => !rows.awardsChanged.has(award));
  if (settled.length > 0) {
    await tx.query(
      `update awards set status = x.status, updated_seq = x.seq
         from jsonb_to_recordset($2::jsonb) as x(key text, status text, seq bigint)
        where awards.tenant_id = $1 and awards.award_key = x.key`,
      [tenant, rowsJson(settled.map(([x, seq]) => ({ key: key(x), status: x.status, seq })))],
    );
  }
  const entries = [...rows.awards.entries()].filter(([award]) => rows.awardsChanged.has(award));
  if (entries.length === 0) return;
  await tx.query(
    `insert into awards (tenant_id, award_key, member, order_id, period, rule, amount, status, explanations, changes, updated_seq)
     select $1, x.key, x.member, x.o, x.p, x.rule, x.amount, x.status, x.e, x.c, x.seq
       from jsonb_to_recordset($2::jsonb) as x(key text, member text, o text, p text, rule text, amount bigint, status text, e jsonb, c jsonb, seq bigint)
     on conflict (tenant_id, award_key) do update set amount = excluded.amount, status = excluded.status,
       explanations = excluded.explanations, changes = excluded.changes, updated_seq = excluded.updated_seq`,
    [
      tenant,
      `[${entries
        .map(([x, seq]) => {
          const head = JSON.stringify({ key: key(x), member: x.to, o: x.order ?? null, p: x.period ?? null, rule: x.rule, amount: String(x.amount), status: x.status, seq });
          return `${head.slice(0, -1)},"e":${toJson(x.explanations)},"c":${toJson(x.changes)}}`;
        })
        .join(',')}]`,
    ],
  );
}

/** Withdrawals as they stand after the batch (a request, then each transition, upserted). */
async function persistWithdrawals(tx: Sql, tenant: string, rows: BatchRows): Promise<void> {
  if (rows.withdrawals.length === 0) return;
  const latest = new Map(rows.withdrawals.map((entry) => [entry.record.id, entry]));
  const w = [...latest.values()];
  await tx.query(
    `insert into withdrawals (tenant_id, id, member, at, amount, tax, net, month, event_seq, status, history)
     select $1, * from unnest($2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::bigint[], $10::text[], $11::jsonb[])
     on conflict (tenant_id, id) do update set status = excluded.status, history = excluded.history`,
    [
      tenant, w.map((x) => x.record.id), w.map((x) => x.record.member), w.map((x) => iso(x.record.at)), w.map((x) => String(x.record.amount)),
      w.map((x) => String(x.record.tax)), w.map((x) => String(x.record.net)), w.map((x) => x.record.month), w.map((x) => x.eventSeq),
      w.map((x) => x.record.status), w.map((x) => toJson(x.record.history.map((h) => ({ ...h, at: iso(h.at) })))),
    ],
  );
}

async function persistAdjustments(tx: Sql, tenant: string, rows: BatchRows): Promise<void> {
  if (rows.adjustments.length === 0) return;
  const a = rows.adjustments;
  await tx.query(
    `insert into adjustments (tenant_id, id, member, at, amount, reason, by_key, event_seq)
     select $1, * from unnest($2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::text[], $7::text[], $8::bigint[])`,
    [tenant, a.map((x) => x.record.id), a.map((x) => x.record.member), a.map((x) => iso(x.record.at)), a.map((x) => String(x.record.amount)), a.map((x) => x.record.reason), a.map((x) => x.record.by ?? null), a.map((x) => x.eventSeq)],
  );
}
