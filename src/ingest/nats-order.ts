import type { JetStreamManager, JsMsg, MsgRequest, NextMsgRequest } from '@nats-io/jetstream';
import { parseMessage, type MessageBody } from './nats-payload.ts';

/** One message of a tenant's subject: delivered to this instance (with every copy of it), or read from the stream. */
export interface Delivered {
  readonly seq: number;
  readonly body: MessageBody;
  /** The deliveries of this message at hand, to ack; empty for a message read from the stream. */
  readonly copies: readonly JsMsg[];
}

/** Messages read from the stream at most per call (the rest comes on the next round). */
const MAX_READ = 1000;

/**
 * The per-tenant ordering. A tenant's stream offset means "every message of this tenant up to
 * here is applied", which holds only if its messages are applied in stream order. JetStream does
 * not deliver them so to a shared pull consumer: a redelivered message, or one delivered to another
 * instance, may be older than a message at hand. The stream itself is ordered, though, so the
 * messages of the tenant's subject between the offset and a message at hand are read from it and
 * applied first (whoever holds their deliveries acks them later as applied before).
 *
 * Given the tenant's messages at hand after `offset` (ascending), answers the tenant's messages
 * from `offset` on, gapless, up to one of them (all of them unless MAX_READ was reached).
 */
export async function inStreamOrder(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  offset: number,
  held: readonly Delivered[],
): Promise<Delivered[]> {
  const first = (after: number) =>
    jsm.streams.getMessage(stream, { seq: after + 1, next_by_subj: subject } satisfies NextMsgRequest as unknown as MsgRequest);
  // One look per message at hand, side by side: the subject's first message after the one before it.
  const looks = await Promise.all(
    held.map((message, i) => {
      const previous = i === 0 ? offset : held[i - 1]!.seq;
      return message.seq === previous + 1 ? null : first(previous);
    }),
  );
  const ordered: Delivered[] = [];
  let read = 0;
  for (const [i, message] of held.entries()) {
    let look = looks[i] ?? null;
    // Messages of the subject between the previous one and this one: read them from the stream.
    while (look !== null && look.seq < message.seq) {
      if (read === MAX_READ) return ordered;
      ordered.push({ seq: look.seq, body: parseMessage(look.data), copies: [] });
      read += 1;
      look = await first(look.seq);
    }
    ordered.push(message); // (a look past it means it was deleted from the stream meanwhile: still applied)
  }
  return ordered;
}
