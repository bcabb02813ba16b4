import type { JetStreamClient } from '@nats-io/jetstream';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a client saw while the system under test was failing: every answer that was not a 200. */
export interface ClientLog {
  /** Requests (or publications) made, retries included. */
  attempts: number;
  /** Failed attempts by what the client saw: `503 storage_unavailable`, `connection refused`, `timeout`… */
  readonly failures: Map<string, number>;
  /** Per event of the sequence: the status of its final, successful answer. */
  readonly statuses: string[];
}

export const newClientLog = (): ClientLog => ({ attempts: 0, failures: new Map(), statuses: [] });

function count(log: ClientLog, what: string): void {
  log.failures.set(what, (log.failures.get(what) ?? 0) + 1);
}

/** A failure a client may meet while a server or its database restarts, and should retry. */
export class Retryable extends Error {}

/**
 * POSTs `events` to /v1/events in batches, in order, as a careful shop would: a batch that fails
 * (a 5xx, a refused connection, no answer in time) is sent again, unchanged, until it is answered
 * 200; every event carries an id, so a retry of a batch that did commit is answered duplicate.
 * A 4xx is not retried: it fails the run. `stop` ends early, between batches (answers how many
 * events were sent).
 */
export async function sendBatches(
  url: () => string,
  key: string,
  events: readonly unknown[],
  options: { batch: number; log: ClientLog; timeoutMs?: number; pauseMs?: () => number; stop?: () => boolean },
): Promise<number> {
  for (let start = 0; start < events.length; start += options.batch) {
    if (options.stop?.()) return start;
    const body = JSON.stringify({ events: events.slice(start, start + options.batch) });
    for (let attempt = 0; ; attempt++) {
      options.log.attempts += 1;
      try {
        const statuses = await postOnce(url(), key, body, options.timeoutMs ?? 60_000);
        options.log.statuses.push(...statuses);
        break;
      } catch (error) {
        if (!(error instanceof Retryable)) throw error;
        count(options.log, error.message);
        // (Never given up once sent: the batch may have committed, and the caller counts it as sent.)
        await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
      }
    }
    const pause = options.pauseMs?.() ?? 0;
    if (pause > 0) await sleep(pause);
  }
  return events.length;
}

async function postOnce(url: string, key: string, body: string, timeoutMs: number): Promise<string[]> {
  let response: Response;
  try {
    response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Retryable(describeFetchError(error));
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 500) {
    const code = parseCode(text);
    throw new Retryable(`${response.status} ${code ?? 'no code'}`);
  }
  if (response.status !== 200) throw new Error(`POST /v1/events answered ${response.status}: ${text.slice(0, 500)}`);
  return (JSON.parse(text) as { results: { status: string }[] }).results.map((r) => r.status);
}

function parseCode(text: string): string | null {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'no answer in time';
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET') return 'connection reset';
  return `fetch failed (${cause?.code ?? (error as Error).message})`;
}

/**
 * Publishes messages to one subject, one after the other (so their stream order is the list's
 * order), each with a message id: a publication whose ack was lost is published again and the
 * stream keeps one copy (JetStream's duplicate window). Failures (NATS restarting, no leader yet)
 * are retried until `timeoutMs`. Answers the stream sequences.
 */
export async function publishInOrder(
  js: JetStreamClient,
  subject: string,
  messages: readonly unknown[],
  options: { idPrefix: string; log: ClientLog; timeoutMs?: number; pauseMs?: () => number; stop?: () => boolean },
): Promise<number[]> {
  const seqs: number[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  for (const [index, message] of messages.entries()) {
    if (options.stop?.()) break;
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    for (let attempt = 0; ; attempt++) {
      options.log.attempts += 1;
      try {
        const ack = await js.publish(subject, data, { msgID: `${options.idPrefix}-${index}`, timeout: 5000 });
        seqs.push(ack.seq);
        options.log.statuses.push(ack.duplicate ? 'duplicate' : 'stored');
        break;
      } catch (error) {
        count(options.log, `publish: ${(error as Error).message.slice(0, 60)}`);
        if (Date.now() > deadline) throw error;
        await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
      }
    }
    const pause = options.pauseMs?.() ?? 0;
    if (pause > 0) await sleep(pause);
  }
  return seqs;
}

/** Groups events into messages of 1 to `max` events (a single event as a bare object), with `pick` choosing sizes. */
export function asMessages(events: readonly unknown[], pick: (min: number, max: number) => number, max: number): unknown[] {
  const messages: unknown[] = [];
  for (let i = 0; i < events.length;) {
    const size = pick(1, max);
    messages.push(size === 1 ? events[i] : events.slice(i, i + size));
    i += size;
  }
  return messages;
}

/** Failures as `what ×n` for the report. */
export function describeFailures(log: ClientLog): string {
  if (log.failures.size === 0) return 'none';
  return [...log.failures]
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => `${what} ×${n}`)
    .join(', ');
}

/** One POST /v1/events, not retried: its HTTP status with the error code or the per-event statuses (status 0: no answer). */
export async function postEvents(
  url: string,
  key: string,
  events: readonly unknown[],
  timeoutMs: number,
): Promise<{ status: number; code: string | null; statuses: string[]; seen: string }> {
  try {
    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (response.status !== 200) {
      const code = parseCode(text);
      return { status: response.status, code, statuses: [], seen: `${response.status} ${code ?? 'no code'}` };
    }
    return {
      status: 200,
      code: null,
      statuses: (JSON.parse(text) as { results: { status: string }[] }).results.map((r) => r.status),
      seen: '200',
    };
  } catch (error) {
    return { status: 0, code: null, statuses: [], seen: describeFetchError(error) };
  }
}
