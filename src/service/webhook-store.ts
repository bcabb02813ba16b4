import type { Sql } from '../store/sql.ts';
import type { AttemptResult } from './webhook-send.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Turns outbox rows not fanned out yet into pending deliveries, one per webhook of the tenant
 * subscribed to the row's topic (and created before the row). Rows are claimed with
 * `for update skip locked`, so concurrent dispatchers take disjoint rows; the insert ignores a
 * delivery that already exists. Returns how many outbox rows were handled.
 */
export async function fanOut(sql: Sql, nowMs: number, limit: number): Promise<{ rows: number; deliveries: number }> {
  const result = await sql.query<{ rows: string; deliveries: string }>(
    `with batch as (
       select tenant_id, id, topic, created_at from outbox
        where fanned_out_at is null order by id limit $2 for update skip locked
     ), marked as (
       update outbox o set fanned_out_at = $1::timestamptz from batch b
        where o.tenant_id = b.tenant_id and o.id = b.id returning o.id
     ), created as (
       insert into webhook_deliveries (tenant_id, webhook_id, outbox_id, next_attempt_at)
       select b.tenant_id, w.id, b.id, $1::timestamptz from batch b
         join webhooks w on w.tenant_id = b.tenant_id and w.topics @> jsonb_build_array(b.topic) and w.created_at <= b.created_at
       on conflict do nothing returning outbox_id
     )
     select (select count(*) from marked)::text as rows, (select count(*) from created)::text as deliveries`,
    [iso(nowMs), limit],
  );
  const row = result.rows[0]!;
  return { rows: Number(row.rows), deliveries: Number(row.deliveries) };
}

/** A due delivery claimed by this dispatcher, with what it takes to send it. */
export interface ClaimedDelivery {
  readonly tenant: string;
  readonly webhookId: string;
  readonly outboxId: string;
  /** This attempt's number (1 for the first): `attempts` was raised when it was claimed. */
  readonly attempt: number;
  /** Null when the webhook was removed since the delivery was created. */
  readonly url: string | null;
  readonly secret: string | null;
  readonly topic: string;
  readonly payload: unknown;
  readonly createdAt: string;
}

/**
 * Claims up to `limit` pending deliveries due at `nowMs`: each one's attempt count goes up and
 * its next attempt moves to `leaseUntilMs`, in one statement over rows locked with
 * `for update skip locked`. Another dispatcher therefore neither sees them as due nor waits for
 * them; if this one dies mid-attempt, the delivery is due again when the lease ends.
 */
export async function claimDue(sql: Sql, nowMs: number, leaseUntilMs: number, limit: number): Promise<ClaimedDelivery[]> {
  const rows = (
    await sql.query<{
      tenant_id: string;
      webhook_id: string;
      outbox_id: string;
      attempts: number;
      url: string | null;
      secret: string | null;
      topic: string;
      payload: unknown;
      created_at: Date | string;
    }>(
      `with due as (
       select tenant_id, webhook_id, outbox_id from webhook_deliveries
        where status = 'pending' and next_attempt_at <= $1::timestamptz
        order by next_attempt_at limit $3 for update skip locked
     ), claimed as (
       update webhook_deliveries d set attempts = d.attempts + 1, next_attempt_at = $2::timestamptz from due
        where d.tenant_id = due.tenant_id and d.webhook_id = due.webhook_id and d.outbox_id = due.outbox_id
        returning d.tenant_id, d.webhook_id, d.outbox_id, d.attempts
     )
     select c.tenant_id, c.webhook_id, c.outbox_id::text as outbox_id, c.attempts, w.url, w.secret, o.topic, o.payload, o.created_at
       from claimed c
       join outbox o on o.tenant_id = c.tenant_id and o.id = c.outbox_id
       left join webhooks w on w.tenant_id = c.tenant_id and w.id = c.webhook_id
      order by c.outbox_id`,
      [iso(nowMs), iso(leaseUntilMs), limit],
    )
  ).rows;
  return rows.map((r) => ({
    tenant: r.tenant_id,
    webhookId: r.webhook_id,
    outboxId: r.outbox_id,
    attempt: Number(r.attempts),
    url: r.url,
    secret: r.secret,
    topic: r.topic,
    payload: r.payload,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** How an attempt ends for the delivery: delivered, failed for good, or retried at `retryAtMs`. */
export type Settlement =
  { readonly status: 'delivered' } | { readonly status: 'failed' } | { readonly status: 'pending'; readonly retryAtMs: number };

/**
 * Writes an attempt's outcome to the delivery log. Only the claim that made this attempt may
 * write it (same attempt number, still pending): a stale dispatcher whose lease ran out changes
 * nothing. Returns whether the row was written.
 */
export async function recordAttempt(
  sql: Sql,
  delivery: ClaimedDelivery,
  result: AttemptResult,
  settlement: Settlement,
  nowMs: number,
): Promise<boolean> {
  const written = await sql.query(
    `update webhook_deliveries
        set status = $5, last_status = $6, last_error = $7, delivered_at = $8::timestamptz, next_attempt_at = $9::timestamptz
      where tenant_id = $1 and webhook_id = $2 and outbox_id = $3::bigint and attempts = $4 and status = 'pending'
      returning outbox_id`,
    [
      delivery.tenant,
      delivery.webhookId,
      delivery.outboxId,
      delivery.attempt,
      settlement.status,
      result.status,
      result.error,
      settlement.status === 'delivered' ? iso(nowMs) : null,
      iso(settlement.status === 'pending' ? settlement.retryAtMs : nowMs),
    ],
  );
  return written.rows.length > 0;
}
