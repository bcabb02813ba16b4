import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { MAX_BATCH, StreamOverlap, type Service } from '../service/service.ts';
import { inStreamOrder, type Delivered } from './nats-order.ts';
import { publishRejections, rejection, type Rejection } from './nats-rejected.ts';
import { eventsSubject, type NatsSettings } from './nats-settings.ts';

export interface ConsumeContext {
  readonly service: Service;
  readonly jsm: JetStreamManager;
  readonly js: JetStreamClient;
  readonly settings: NatsSettings;
  /** The stream's identity in `stream_offsets` (see ensureStreamAndConsumer). */
  readonly streamKey: string;
  readonly log: (line: string) => void;
  readonly stats: ConsumeStats;
}

export interface ConsumeStats {
  /** Messages applied here (then acked). */
  messages: number;
  /** Of them, messages read from the stream to keep a tenant's order (their deliveries are elsewhere or later). */
  readAhead: number;
  /** Deliveries of messages applied before (a redelivery, or read ahead): acked only. */
  redelivered: number;
  /** Messages given back after a failure, to be redelivered. */
  failed: number;
}

const RETRY_AFTER_FAILURE_MS = 1000;
const MAX_OVERLAPS = 10;

const ack = (message: Delivered) => message.copies.forEach((m) => m.ack());

/**
 * Applies one tenant's messages of a batch (ascending stream sequence), exactly once and in stream
 * order: each run of messages (those at hand, and older ones of the tenant read from the stream) is
 * ingested in one transaction that also stores the stream offset; only then are its rejections
 * published and its messages acked. On a failure the messages at hand are given back (nak).
 */
export async function consumeTenant(ctx: ConsumeContext, tenant: string, messages: readonly Delivered[]): Promise<void> {
  const subject = eventsSubject(ctx.settings.subjectPrefix, tenant);
  let pending = messages;
  let overlaps = 0;
  try {
    while (pending.length > 0) {
      const offset = await storedOffset(ctx, tenant);
      if (offset === null) return await refuseUnknownTenant(ctx, tenant, pending);
      const applied = pending.filter((message) => message.seq <= offset); // applied before: a redelivery
      applied.forEach(ack);
      ctx.stats.redelivered += applied.length;
      pending = pending.filter((message) => message.seq > offset);
      if (pending.length === 0) return;
      let ordered = await inStreamOrder(ctx.jsm, ctx.settings.stream, subject, offset, pending);
      while (ordered.length > 0) {
        const run = capRun(ordered);
        try {
          await applyRun(ctx, tenant, run);
        } catch (error) {
          // Another instance applied some of these meanwhile: look at the offset again.
          if (error instanceof StreamOverlap && ++overlaps <= MAX_OVERLAPS) break;
          throw error;
        }
        const last = run[run.length - 1]!.seq;
        pending = pending.filter((message) => message.seq > last);
        ordered = ordered.slice(run.length);
        for (const message of pending) message.copies.forEach((m) => m.working()); // still on it: no redelivery yet
      }
    }
  } catch (error) {
    ctx.stats.failed += pending.length;
    ctx.log(`nats: tenant ${tenant}: ${pending.length} message(s) will be redelivered: ${String(error)}`);
    for (const message of pending) message.copies.forEach((m) => m.nak(RETRY_AFTER_FAILURE_MS));
  }
}

/** The tenant's stored offset in the stream (0 before its first message), or null when there is no such tenant. */
async function storedOffset(ctx: ConsumeContext, tenant: string): Promise<number | null> {
  const rows = (
    await ctx.service.sql.query<{ seq: string | null }>(
      'select (select seq::text from stream_offsets where tenant_id = $1 and stream = $2) as seq from tenants where id = $1',
      [tenant, ctx.streamKey],
    )
  ).rows;
  return rows.length === 0 ? null : Number(rows[0]!.seq ?? 0);
}

/** Leading messages holding at most MAX_BATCH events together (at least one message). */
function capRun(messages: readonly Delivered[]): readonly Delivered[] {
  let events = 0;
  let count = 0;
  for (const message of messages) {
    const size = message.body.ok ? Math.max(1, message.body.events.length) : 1;
    if (count > 0 && events + size > MAX_BATCH) break;
    events += size;
    count += 1;
  }
  return messages.slice(0, count);
}

async function applyRun(ctx: ConsumeContext, tenant: string, run: readonly Delivered[]): Promise<void> {
  const items = run.flatMap(({ body }) => (body.ok ? body.events : []));
  // A message refused whole still moves the offset (with no events): the order needs every message.
  const results = await ctx.service.ingest(tenant, items, 'nats', {
    stream: ctx.streamKey,
    seq: run[run.length - 1]!.seq,
    first: run[0]!.seq,
  });
  const rejections: Rejection[] = [];
  let next = 0;
  run.forEach(({ seq, body }) => {
    if (!body.ok) {
      rejections.push(rejection(tenant, seq, undefined, body.payload, body.error));
      return;
    }
    body.events.forEach((event, index) => {
      const result = results[next++]!;
      if (result.status === 'rejected') rejections.push(rejection(tenant, seq, index, event, result.error));
    });
  });
  await publishRejections(ctx.js, ctx.settings.stream, ctx.settings.subjectPrefix, rejections);
  run.forEach(ack);
  ctx.stats.messages += run.length;
  ctx.stats.readAhead += run.filter((message) => message.copies.length === 0).length;
}

/** Messages for a tenant that does not exist go to its rejected subject, and are acked: they must not block. */
async function refuseUnknownTenant(ctx: ConsumeContext, tenant: string, messages: readonly Delivered[]): Promise<void> {
  const error = {
    code: 'not_found',
    message: `tenant ${tenant} does not exist: create it (POST /v1/tenants) before publishing to ${eventsSubject(ctx.settings.subjectPrefix, tenant)}`,
    path: [],
  };
  await publishRejections(
    ctx.js,
    ctx.settings.stream,
    ctx.settings.subjectPrefix,
    messages.map(({ seq, body }) => rejection(tenant, seq, undefined, body.payload, error)),
  );
  messages.forEach(ack);
  ctx.stats.messages += messages.length;
}
