import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { NatsSettings } from './nats-settings.ts';

/**
 * Creates the stream and the durable pull consumer when they are missing (an existing one is used
 * as it is), and answers the stream's identity for offsets: its name and creation instant, so that
 * a deleted and re-created stream, whose sequences start again at 1, never counts as consumed.
 */
export async function ensureStreamAndConsumer(jsm: JetStreamManager, settings: NatsSettings): Promise<{ streamKey: string }> {
  const stream = await ensureStream(jsm, settings);
  await orCreate(
    () => jsm.consumers.info(settings.stream, settings.durable),
    () =>
      jsm.consumers.add(settings.stream, {
        durable_name: settings.durable,
        filter_subject: `${settings.subjectPrefix}.*.events`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(settings.ackWaitMs),
        max_ack_pending: 10_000,
      }),
  );
  return { streamKey: `${settings.stream}@${stream.created}` };
}

async function ensureStream(jsm: JetStreamManager, settings: NatsSettings): Promise<StreamInfo> {
  return orCreate(
    () => jsm.streams.info(settings.stream),
    () =>
      jsm.streams.add({
        name: settings.stream,
        subjects: [`${settings.subjectPrefix}.*.events`, `${settings.subjectPrefix}.*.rejected`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        num_replicas: settings.replicas ?? 1,
      }),
  );
}

/** Reads a JetStream object, creating it when missing; a concurrent creator (another instance) wins. */
async function orCreate<T>(read: () => Promise<T>, create: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch {
    try {
      return await create();
    } catch (error) {
      return read().catch(() => Promise.reject(error));
    }
  }
}
