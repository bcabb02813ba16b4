import type { Sql } from '../store/sql.ts';
import type { BatchRows } from './batch-rows.ts';
import { toJson } from './json.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** Writes a batch's rows with one multi-row statement per table (unnest of arrays). */
export async function persistBatch(tx: Sql, tenant: string, rows: BatchRows): Promise<void> {
  if (rows.events.length > 0) {
    const e = rows.events;
    await tx.query(
      `insert into events (tenant_id, seq, event_key, type, at, payload, source)
       select $1, * from unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[], $7::text[])`,
      [tenant, e.map((r) => r.seq), e.map((r) => r.key), e.map((r) => r.type), e.map((r) => iso(r.at)), e.map((r) => toJson(r.payload)), e.map((r) => r.source)],
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
  await tx.query(
    `insert into postings (tenant_id, journal, line, event_seq, at, kind, account, member, amount, order_id, period, rule, refund_id, withdrawal_id, adjustment_id)
     select $1, * from unnest($2::bigint[], $3::smallint[], $4::bigint[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])`,
    [
      tenant, p.map((x) => x.posting.journal), p.map((x) => x.line), p.map((x) => x.eventSeq), p.map((x) => iso(x.posting.at)),
      p.map((x) => x.posting.kind), p.map((x) => x.posting.account), p.map((x) => x.posting.member), p.map((x) => String(x.posting.amount)),
      p.map((x) => x.posting.ref.order ?? null), p.map((x) => x.posting.ref.period ?? null), p.map((x) => x.posting.ref.rule ?? null),
      p.map((x) => x.posting.ref.refund ?? null), p.map((x) => x.posting.ref.withdrawal ?? null), p.map((x) => x.posting.ref.adjustment ?? null),
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
  const entries = [...rows.awards.entries()];
  const a = entries.map(([award]) => award);
  await tx.query(
    `insert into awards (tenant_id, award_key, member, order_id, period, rule, amount, status, explanations, changes, updated_seq)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::jsonb[], $10::jsonb[], $11::bigint[])
     on conflict (tenant_id, award_key) do update set amount = excluded.amount, status = excluded.status,
       explanations = excluded.explanations, changes = excluded.changes, updated_seq = excluded.updated_seq`,
    [
      tenant, a.map((x) => `${x.order !== undefined ? 'order:' + x.order : 'period:' + x.period}/${x.to}/${x.rule}`),
      a.map((x) => x.to), a.map((x) => x.order ?? null), a.map((x) => x.period ?? null), a.map((x) => x.rule),
      a.map((x) => String(x.amount)), a.map((x) => x.status), a.map((x) => toJson(x.explanations)), a.map((x) => toJson(x.changes)),
      entries.map(([, seq]) => seq),
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
