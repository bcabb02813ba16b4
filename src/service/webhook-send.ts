import { signatureHeader, SIGNATURE_HEADER } from './webhook-signature.ts';

/** What one HTTP attempt came to: delivered on a 2xx answer, else a status and/or an error. */
export interface AttemptResult {
  readonly ok: boolean;
  /** The receiver's HTTP status (null when no answer came: refused, timed out…). */
  readonly status: number | null;
  readonly error: string | null;
}

export interface Delivery {
  readonly url: string;
  readonly secret: string;
  /** `<webhook id>.<outbox id>`: the same on every attempt of this delivery. */
  readonly deliveryId: string;
  readonly body: string;
}

const MAX_ERROR_CHARS = 500;

/**
 * POSTs one signed delivery. Redirects are not followed (a 3xx is a failure), the whole exchange
 * is bounded by `timeoutMs`, and nothing throws: every outcome is an AttemptResult.
 */
export async function sendDelivery(
  delivery: Delivery,
  options: { nowMs: number; timeoutMs: number; fetch: typeof fetch },
): Promise<AttemptResult> {
  try {
    const response = await options.fetch(delivery.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'fenyong-webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(delivery.secret, delivery.body, options.nowMs),
        'X-Fenyong-Delivery': delivery.deliveryId,
      },
      body: delivery.body,
    });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: true, status: response.status, error: null };
    }
    const text = await readStart(response, MAX_ERROR_CHARS);
    const detail = text.trim() ? `: ${text.trim()}` : '';
    return { ok: false, status: response.status, error: `HTTP ${response.status}${detail}`.slice(0, MAX_ERROR_CHARS) };
  } catch (error) {
    return { ok: false, status: null, error: describe(error, options.timeoutMs).slice(0, MAX_ERROR_CHARS) };
  }
}

/** The first `limit` bytes of a response body (as text); the rest is not read. */
async function readStart(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // a body cut short still says something
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function describe(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message ?? String(error)} (${cause})` : (e?.message ?? String(error));
}
