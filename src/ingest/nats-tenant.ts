import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { MAX_BATCH, StreamOverlap, type Service } from '../service/service.ts';
import { orderedPrefix } from './nats-order.ts';
import type { MessageBody } from './nats-payload.ts';
import { publishRejections, rejection, type Rejection } from './nats-rejected.ts';
import { eventsSubject, type NatsSettings } from './nats-settings.ts';

/** One stream message at hand, parsed, with every copy of it this batch received (a redelivery). */
export interface Delivered {
  readonly seq: number;
  readonly body: MessageBody;
  readonly copies: readonly JsMsg[];
}

export interface ConsumeContext {
  readonly service: Service;
  readonly jsm: JetStreamManager;
  readonly js: JetStreamClient;
  readonly settings: NatsSettings;
  /** The stream's identity in `stream_offsets` (see ensureStreamAndConsumer). */
  readonly streamKey: string;
  readonly log: (line: string) => void;
  readonly stats: { messages: number; redelivered: number; deferred: number; failed: number };
}

/** Pauses while an older message of the tenant is being applied elsewhere, then gives it back. */
const ORDER_WAITS_MS = [5, 10, 20, 50, 100, 200, 400];
const REDELIVER_AFTER_MS = 250;
const RETRY_AFTER_FAILURE_MS = 1000;

const ack = (d: Delivered) => d.copies.forEach((m) => m.ack());
const nak = (d: Delivered, delayMs: number) => d.copies.forEach((m) => m.nak(delayMs));

/**
 * Applies one tenant's messages of a batch (ascending stream sequence), exactly once and in stream
 * order: runs of messages the ordering gate lets through are ingested in one transaction that also
 * stores the stream offset; only then are their rejections published and the messages acked.
 */
export async function consumeTenant(ctx: ConsumeContext, tenant: string, messages: readonly Delivered[]): Promise<void> {
  const subject = eventsSubject(ctx.settings.subjectPrefix, tenant);
  let pending = messages;
  let waits = 0;
  try {
    while (pending.length > 0) {
      const offset = await storedOffset(ctx, tenant);
      if (offset === null) return await refuseUnknownTenant(ctx, tenant, pending);
      const applied = pending.filter((message) => message.seq <= offset); // applied before: a redelivery
      applied.forEach(ack);
      ctx.stats.redelivered += applied.length;
      pending = pending.filter((message) => message.seq > offset);
      if (pending.length === 0) return;
      const ready = await orderedPrefix(ctx.jsm, ctx.settings.stream, subject, offset, pending.map((m) => m.seq));
      if (ready === 0) {
        if (waits === ORDER_WAITS_MS.length) {
          ctx.stats.deferred += pending.length;
          pending.forEach((message) => nak(message, REDELIVER_AFTER_MS));
          return;
        }
        await sleep(ORDER_WAITS_MS[waits++]!);
        continue;
      }
      // (the wait budget is per batch: a tenant that keeps waiting gives its messages back)
      const run = capRun(pending.slice(0, ready));
      try {
        await applyRun(ctx, tenant, run);
      } catch (error) {
        if (error instanceof StreamOverlap) continue; // a copy was applied elsewhere meanwhile: look again
        throw error;
      }
      pending = pending.slice(run.length);
    }
  } catch (error) {
    ctx.stats.failed += pending.length;
    ctx.log(`nats: tenant ${tenant}: ${pending.length} message(s) will be redelivered: ${String(error)}`);
    pending.forEach((message) => nak(message, RETRY_AFTER_FAILURE_MS));
  }
}

/** The tenant's stored offset in the stream (0 before its first message), or null when there is no such tenant. */
async function storedOffset(ctx: ConsumeContext, tenant: string): Promise<number | null> {
  const rows = (await ctx.service.sql.query<{ seq: string | null }>(
    'select (select seq::text from stream_offsets where tenant_id = $1 and stream = $2) as seq from tenants where id = $1',
    [tenant, ctx.streamKey],
  )).rows;
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
  // A message refused whole still moves the offset (with no events), else it would block the gate.
  const results = await ctx.service.ingest(tenant, items, 'nats', { stream: ctx.streamKey, seq: run[run.length - 1]!.seq, first: run[0]!.seq });
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
}

/** Messages for a tenant that does not exist go to its rejected subject, and are acked: they must not block. */
async function refuseUnknownTenant(ctx: ConsumeContext, tenant: string, messages: readonly Delivered[]): Promise<void> {
  const error = {
    code: 'not_found',
    message: `tenant ${tenant} does not exist: create it (POST /v1/tenants) before publishing to ${eventsSubject(ctx.settings.subjectPrefix, tenant)}`,
    path: [],
  };
  const rejections = messages.map(({ seq, body }) => rejection(tenant, seq, undefined, body.payload, error));
  await publishRejections(ctx.js, ctx.settings.stream, ctx.settings.subjectPrefix, rejections);
  messages.forEach(ack);
  ctx.stats.messages += messages.length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
