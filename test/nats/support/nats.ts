import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type MsgRequest } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { NatsSettings } from '../../../src/ingest/nats-settings.ts';

export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Stream, subject prefix and consumer names of one test run, so that runs never share them. */
export function uniqueSettings(ackWaitMs = 30_000): NatsSettings {
  const id = randomBytes(4).toString('hex');
  return { url: NATS_URL, stream: `FYTEST_${id}`, subjectPrefix: `fytest${id}`, durable: `fytest${id}`, ackWaitMs };
}

/** The environment of a `fenyong serve` child consuming with these settings. */
export function natsEnv(settings: NatsSettings): Record<string, string> {
  return {
    NATS_URL: settings.url,
    FENYONG_NATS_STREAM: settings.stream,
    FENYONG_NATS_SUBJECT: settings.subjectPrefix,
    FENYONG_NATS_DURABLE: settings.durable,
    FENYONG_NATS_ACK_WAIT_SECONDS: String(settings.ackWaitMs / 1000),
  };
}

export interface TestNats {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Deletes the test's stream (with its consumer) and closes the connection. */
  close(): Promise<void>;
}

export async function connectNats(settings: NatsSettings): Promise<TestNats> {
  const nc = await connect({ servers: settings.url });
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    jsm,
    js: jetstream(nc),
    async close() {
      await jsm.streams.delete(settings.stream).catch(() => false);
      await nc.close();
    },
  };
}

/** Publishes messages (JSON values, or raw strings) to one subject in order; answers their stream sequences. */
export async function publish(js: JetStreamClient, subject: string, messages: readonly unknown[]): Promise<number[]> {
  const seqs: number[] = [];
  // One connection keeps publication order; acks are awaited a window at a time.
  for (let start = 0; start < messages.length; start += 200) {
    const window = messages
      .slice(start, start + 200)
      .map((m) => js.publish(subject, typeof m === 'string' ? m : JSON.stringify(m)));
    seqs.push(...(await Promise.all(window)).map((ack) => ack.seq));
  }
  return seqs;
}

/** Waits until the consumer has nothing pending and nothing unacknowledged (acks come after commits). */
export async function waitConsumed(jsm: JetStreamManager, settings: NatsSettings, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stableSince: number | null = null;
  for (;;) {
    const info = await jsm.consumers.info(settings.stream, settings.durable).catch(() => null);
    const done = info !== null && info.num_pending === 0 && info.num_ack_pending === 0 && info.num_redelivered >= 0;
    if (done) {
      stableSince ??= Date.now();
      if (Date.now() - stableSince >= 300) return;
    } else {
      stableSince = null;
    }
    if (Date.now() > deadline)
      throw new Error(
        `not consumed after ${timeoutMs} ms: ${JSON.stringify(info && { pending: info.num_pending, ackPending: info.num_ack_pending })}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every message of a subject in the stream, in order, as parsed JSON. */
export async function readSubject<T = unknown>(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
): Promise<{ seq: number; body: T }[]> {
  const found: { seq: number; body: T }[] = [];
  for (let seq = 1; ;) {
    const message = await jsm.streams.getMessage(stream, { seq, next_by_subj: subject } as unknown as MsgRequest);
    if (message === null) return found;
    found.push({ seq: message.seq, body: message.json<T>() });
    seq = message.seq + 1;
  }
}
