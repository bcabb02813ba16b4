import type { JetStreamClient } from '@nats-io/jetstream';
import type { EngineError } from '../domain/errors.ts';
import { rejectedSubject } from './nats-settings.ts';

/** What `<prefix>.<tenant>.rejected` carries: the refused event (or message) and its error. */
export interface Rejection {
  readonly tenant: string;
  /** Stream sequence of the message that carried the event. */
  readonly seq: number;
  /** Position of the event in its message's batch; absent when the whole message was refused. */
  readonly index?: number;
  readonly event: unknown;
  readonly error: { readonly code: string; readonly message: string; readonly path: readonly (string | number)[] };
}

export function rejection(
  tenant: string,
  seq: number,
  index: number | undefined,
  event: unknown,
  error: EngineError | Rejection['error'],
): Rejection {
  return {
    tenant,
    seq,
    ...(index === undefined ? {} : { index }),
    event,
    error: { code: error.code, message: error.message, path: [...(error.path ?? [])] },
  };
}

/**
 * Publishes rejections to JetStream (persisted before the message is acknowledged). The message
 * id makes a re-publication of the same rejection within the duplicate window a no-op.
 */
export async function publishRejections(
  js: JetStreamClient,
  stream: string,
  prefix: string,
  rejections: readonly Rejection[],
): Promise<void> {
  await Promise.all(
    rejections.map((r) =>
      js.publish(rejectedSubject(prefix, r.tenant), JSON.stringify(r), { msgID: `${stream}:${r.seq}:${r.index ?? 'message'}` }),
    ),
  );
}
