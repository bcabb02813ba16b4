import {
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Service } from '../service/service.ts';
import type { Delivered } from './nats-order.ts';
import { parseMessage } from './nats-payload.ts';
import { ensureStreamAndConsumer } from './nats-setup.ts';
import { consumeTenant, type ConsumeContext, type ConsumeStats } from './nats-tenant.ts';
import { natsServers, tenantOfSubject, type NatsSettings } from './nats-settings.ts';

const NOTHING_MORE = Symbol('nothing more at once');

/**
 * Batches of the messages available at once: the first message waits, then whatever else the
 * client already holds joins it (up to `max`). Taking the next message is also what lets the client
 * pull more from the server, so at most `max_messages` wait in the client while a batch is applied.
 */
async function* batches(messages: AsyncIterable<JsMsg>, max: number): AsyncGenerator<JsMsg[]> {
  const iterator = messages[Symbol.asyncIterator]();
  let next = iterator.next();
  for (;;) {
    const first = await next;
    if (first.done) return;
    const batch = [first.value];
    next = iterator.next();
    while (batch.length < max) {
      const more = await Promise.race([
        next,
        new Promise<typeof NOTHING_MORE>((resolve) => setImmediate(() => resolve(NOTHING_MORE))),
      ]);
      if (more === NOTHING_MORE) break;
      if (more.done) {
        yield batch;
        return;
      }
      batch.push(more.value);
      next = iterator.next();
    }
    yield batch;
  }
}

/** Messages a consumer holds at most (delivered, not yet acked); also the largest batch handled at once. */
const MAX_HELD = 256;

/**
 * The JetStream ingestion: a durable pull consumer on `<prefix>.*.events` (shared by every
 * instance), whose messages are grouped per tenant and applied through the same Service as HTTP,
 * exactly once (see consumeTenant). The tenants of a batch run side by side; the next batch is
 * taken when the current one is done, so a message is only ever acked after its commit.
 */
export class NatsIngest {
  private stopping = false;
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> = Promise.resolve();
  private readonly stats: ConsumeStats = { messages: 0, readAhead: 0, redelivered: 0, failed: 0 };

  private constructor(
    private readonly service: Service,
    private readonly settings: NatsSettings,
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly log: (line: string) => void,
  ) {}

  /** Connects, creates the stream and the consumer when missing, and starts consuming. */
  static async start(
    service: Service,
    settings: NatsSettings,
    log: (line: string) => void = () => undefined,
  ): Promise<NatsIngest> {
    const nc = await connect({ servers: natsServers(settings.url), name: 'fenyong', maxReconnectAttempts: -1 });
    try {
      const jsm = await jetstreamManager(nc);
      const { streamKey } = await ensureStreamAndConsumer(jsm, settings);
      const ingest = new NatsIngest(service, settings, nc, jsm, jetstream(nc), log);
      ingest.loop = ingest.run(streamKey);
      log(`  NATS      ${settings.subjectPrefix}.<tenant>.events (stream ${settings.stream}, consumer ${settings.durable})`);
      return ingest;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** Counters since start (see ConsumeStats). */
  get counters(): Readonly<ConsumeStats> {
    return { ...this.stats };
  }

  /** Finishes the batch at hand, stops taking messages and drains the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.messages?.stop();
    await this.loop;
    // Drain flushes the acks; a connection that cannot drain (NATS unreachable) is closed instead.
    const drained = await Promise.race([
      this.nc.drain().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000).unref()),
    ]);
    if (!drained) await this.nc.close().catch(() => undefined);
    const { messages, readAhead, redelivered, failed } = this.stats;
    this.log(
      `nats: stopped after applying ${messages} messages (${readAhead} read ahead from the stream for order; ${redelivered} deliveries of applied messages acked; ${failed} failed)`,
    );
  }

  private async run(firstStreamKey: string): Promise<void> {
    let streamKey: string | null = firstStreamKey;
    while (!this.stopping) {
      try {
        // After a lost consumer or stream, set them up again (a re-created stream gets a new key).
        streamKey ??= (await ensureStreamAndConsumer(this.jsm, this.settings)).streamKey;
        const consumer = await this.js.consumers.get(this.settings.stream, this.settings.durable);
        this.messages = await consumer.consume({ max_messages: MAX_HELD, abort_on_missing_resource: true });
        if (this.stopping) this.messages.stop();
        const context = this.context(streamKey);
        for await (const batch of batches(this.messages, MAX_HELD)) {
          if (this.stopping) {
            batch.forEach((message) => message.nak());
            continue;
          }
          await this.handle(context, batch);
        }
      } catch (error) {
        if (!this.stopping) this.log(`nats: consumer stopped, restarting: ${String(error)}`);
      }
      streamKey = null;
      if (!this.stopping) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  private context(streamKey: string): ConsumeContext {
    return {
      service: this.service,
      jsm: this.jsm,
      js: this.js,
      settings: this.settings,
      streamKey,
      log: this.log,
      stats: this.stats,
    };
  }

  /** Groups a batch per tenant (copies of one message together, ascending sequence) and applies each tenant's part. */
  private async handle(context: ConsumeContext, batch: readonly JsMsg[]): Promise<void> {
    const tenants = new Map<string, Map<number, JsMsg[]>>();
    for (const message of batch) {
      const tenant = tenantOfSubject(this.settings.subjectPrefix, message.subject);
      if (tenant === null) {
        message.term(); // not an events subject: the consumer was configured for other subjects
        continue;
      }
      const bySeq = tenants.get(tenant) ?? new Map<number, JsMsg[]>();
      tenants.set(tenant, bySeq);
      bySeq.set(message.seq, [...(bySeq.get(message.seq) ?? []), message]);
    }
    await Promise.all(
      [...tenants].map(([tenant, bySeq]) => {
        const messages: Delivered[] = [...bySeq]
          .sort(([a], [b]) => a - b)
          .map(([seq, copies]) => ({ seq, copies, body: parseMessage(copies[0]!.data) }));
        return consumeTenant(context, tenant, messages);
      }),
    );
  }
}
