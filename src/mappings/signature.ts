import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a shop signs its webhooks: HMAC-SHA256 of the raw request body under a shared secret, in a
 * header, hex or base64, optionally after a fixed prefix ("sha256=" as some platforms send).
 *   Shopify:  X-Shopify-Hmac-Sha256, base64
 *   generic:  X-Signature, hex
 */
export interface SignatureScheme {
  readonly header: string;
  readonly encoding: 'hex' | 'base64';
  readonly prefix: string;
}

/** The header value a shop sends for `body` (what tests and the demo shop sign with). */
export function signPayload(scheme: SignatureScheme, secret: string, body: string | Uint8Array): string {
  return scheme.prefix + createHmac('sha256', secret).update(body).digest(scheme.encoding);
}

/** Whether `value` (the header as received) is the signature of exactly these bytes. Constant time. */
export function verifyPayload(
  scheme: SignatureScheme,
  secret: string,
  body: Uint8Array,
  value: string | string[] | undefined,
): boolean {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || !text.trim().startsWith(scheme.prefix)) return false;
  const given = text.trim().slice(scheme.prefix.length);
  const valid = scheme.encoding === 'hex' ? /^[0-9a-fA-F]{64}$/.test(given) : /^[A-Za-z0-9+/]{43}=$/.test(given);
  if (!valid) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const received = Buffer.from(scheme.encoding === 'hex' ? given.toLowerCase() : given, scheme.encoding);
  return received.length === expected.length && timingSafeEqual(received, expected);
}
