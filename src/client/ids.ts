import { eventKey } from '../service/event-key.ts';
import { fingerprintPayload } from '../service/payload.ts';

/**
 * Event ids that make retries idempotent. An event that has a natural identity (the order of an
 * `order.paid`, the refund of an `order.refunded`, the member of a `member.joined`, …: DOMAIN.md)
 * is already recognised when it comes again. The others (moves, promotions, region changes,
 * withdrawal decisions, ticks) get an `id` derived from their content: the same event always
 * gets the same id, on a retry of the same request as after a restart of the sender, so the
 * second copy is answered `duplicate` instead of being applied twice or refused as late.
 */
export async function contentId(event: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(fingerprintPayload(event));
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  return `ev_${Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/** Whether the engine recognises the event again without an `id` (it has a natural identity). */
export function hasIdentity(event: unknown): boolean {
  return eventKey(event) !== null;
}

/**
 * The event with an `id` when it needs one to be idempotent (no id of its own, no natural
 * identity); other events, and anything that is not an object, are returned as they are.
 */
export async function withIdempotencyId<T>(event: T): Promise<T> {
  if (event === null || typeof event !== 'object' || Array.isArray(event) || hasIdentity(event)) return event;
  return { ...event, id: await contentId(event) };
}
