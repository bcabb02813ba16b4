import type { EngineError } from '../domain/errors.ts';
import { MAX_BATCH } from '../service/service.ts';
import { unstorableInput } from '../service/storable.ts';

/** Characters of a refused message's text kept in its rejection. */
const MAX_ECHO = 65_536;

/** A message's events, or why the message as a whole cannot be ingested. */
export type MessageBody =
  | { readonly ok: true; readonly payload: unknown; readonly events: readonly unknown[] }
  | { readonly ok: false; readonly payload: unknown; readonly error: EngineError };

/**
 * A message carries one event (a JSON object) or a batch (a JSON array of events, up to the HTTP
 * API's limit). Anything else is refused whole; the events themselves are validated by the engine.
 */
export function parseMessage(data: Uint8Array): MessageBody {
  const text = new TextDecoder().decode(data);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      payload: text,
      error: { code: 'invalid', message: `the message is not JSON: ${(error as Error).message}`, path: [] },
    };
  }
  // Text PostgreSQL cannot store, or hostile nesting (which would also break publishing the rejection): refused whole.
  const unstorable = unstorableInput(payload);
  if (unstorable)
    return {
      ok: false,
      payload: text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text,
      error: { ...unstorable, message: `the message: ${unstorable.message}` },
    };
  if (Array.isArray(payload)) {
    if (payload.length > MAX_BATCH)
      return {
        ok: false,
        payload,
        error: { code: 'invalid', message: `a batch has at most ${MAX_BATCH} events, this one has ${payload.length}`, path: [] },
      };
    return { ok: true, payload, events: payload };
  }
  if (payload !== null && typeof payload === 'object') return { ok: true, payload, events: [payload] };
  return {
    ok: false,
    payload,
    error: { code: 'invalid', message: 'a message holds one event (a JSON object) or a JSON array of events', path: [] },
  };
}
