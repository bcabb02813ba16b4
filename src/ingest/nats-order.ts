import type { JetStreamManager, MsgRequest, NextMsgRequest } from '@nats-io/jetstream';

/**
 * The per-tenant ordering gate. A tenant's stream offset means "every message of this tenant up to
 * here is applied", which holds only if its messages are applied in stream order. JetStream does
 * not promise that to a shared pull consumer: a redelivered message, or one held by another
 * instance, may be older than a message at hand. So a message may only be applied when no message
 * of its subject lies between the stored offset (or the message before it in the batch) and it.
 *
 * Given the tenant's messages at hand in ascending stream order, answers how many of them, from
 * the first, may be applied now. Messages of a subject published before a given one are fixed, and
 * offsets only grow, so an answer stays true until the batch is applied.
 */
export async function orderedPrefix(jsm: JetStreamManager, stream: string, subject: string, offset: number, seqs: readonly number[]): Promise<number> {
  const checks = seqs.map(async (seq, i) => {
    const previous = i === 0 ? offset : seqs[i - 1]!;
    if (seq === previous + 1) return true; // nothing can lie between
    // The first message of the subject after `previous`. Asked through the stream API, which the
    // stream leader answers (a direct get may be answered by a lagging replica); the server takes
    // `next_by_subj` there too (since 2.9), the client's types only list it for direct gets.
    const query: NextMsgRequest = { seq: previous + 1, next_by_subj: subject };
    const next = await jsm.streams.getMessage(stream, query as unknown as MsgRequest);
    return next === null || next.seq >= seq; // greater: `seq` itself was deleted from the stream meanwhile
  });
  const ok = await Promise.all(checks);
  const blocked = ok.indexOf(false);
  return blocked === -1 ? seqs.length : blocked;
}
