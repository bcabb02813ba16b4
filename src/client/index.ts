/**
 * `fenyong/client`: the typed TypeScript client of the fenyong HTTP API.
 *
 *   import { createClient } from 'fenyong/client';
 *   const fenyong = createClient({ baseUrl: 'http://127.0.0.1:3000', key: process.env.FENYONG_KEY! });
 *   await fenyong.send([{ type: 'order.paid', at, order: 'O1', buyer: 'C1', referrer: 'L1', lines }]);
 *   const { awards } = await fenyong.ok(fenyong.api.GET('/v1/awards', { params: { query: { member: 'L1' } } }));
 *
 * `api` is openapi-fetch over types generated from the OpenAPI document (schema.d.ts, `npm run
 * gen:api`): every path, parameter, body and answer of the API is typed. Requests that are
 * safe to repeat are retried with exponential backoff on network errors, timeouts, 429 and 5xx
 * (never on another 4xx); events keep the same id on every retry (ids.ts). `send` splits any
 * number of events into batches of at most 1000; `batcher()` queues events and sends them every
 * N events or T milliseconds.
 */
import createOpenApiClient, { type Client } from 'openapi-fetch';
import { withIdempotencyId } from './ids.ts';
import type { FenyongEvent, ItemResult } from './events.ts';
import type { components, paths } from './schema.d.ts';

export type { components, paths } from './schema.d.ts';
export type * from './events.ts';
export { contentId, withIdempotencyId } from './ids.ts';

/** The most events POST /v1/events takes at once. */
export const MAX_BATCH = 1000;

export type ApiErrorBody = components['schemas']['Error']['error'];

/** A request the API refused, or that never got an answer after every retry (status 0). */
export class FenyongError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: readonly (string | number)[],
  ) {
    super(message);
    this.name = 'FenyongError';
  }
}

export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  readonly retries: number;
  /** Delay before the first retry (default 200 ms), doubled each time up to `maxDelayMs`. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Each attempt is abandoned (and retried) after this long (default 30 s). */
  readonly timeoutMs: number;
}

export interface RetryInfo {
  readonly attempt: number;
  readonly delayMs: number;
  readonly method: string;
  readonly url: string;
  /** The status that caused the retry, or the network error. */
  readonly reason: number | string;
}

export interface ClientOptions {
  /** Where fenyong runs, e.g. http://127.0.0.1:3000 (no trailing /v1). */
  readonly baseUrl: string;
  /** An API key `fyk_…` (scope admin, ingest or read). */
  readonly key: string;
  readonly retry?: Partial<RetryOptions> | false;
  /** Which POSTs are retried besides the idempotent ones (see `isRetryable`). */
  readonly retryPost?: (path: string) => boolean;
  readonly onRetry?: (info: RetryInfo) => void;
  /** The fetch to use (default the global one). */
  readonly fetch?: typeof globalThis.fetch;
  /** Waits between retries (tests pass a fake). */
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_RETRY: RetryOptions = { retries: 5, minDelayMs: 200, maxDelayMs: 10_000, timeoutMs: 30_000 };

/**
 * Requests repeated without harm: reads, PUT and DELETE, and the POSTs whose effect is keyed by
 * what they carry — events (natural identities and ids), member joins, withdrawals (their id),
 * tests, lints, estimates and the backfill hold. Creating keys, webhooks, tenants, plan versions
 * or importing a network is not retried: a lost answer there needs a look before trying again.
 */
export function isRetryable(method: string, path: string): boolean {
  if (method !== 'POST') return true;
  return (
    path === '/v1/events' ||
    path === '/v1/members' ||
    path === '/v1/withdrawals' ||
    path === '/v1/estimate' ||
    path === '/v1/plans/lint' ||
    path === '/v1/backfill/hold' ||
    /^\/v1\/mappings\/[^/]+\/test$/.test(path)
  );
}

export class FenyongClient {
  /** The typed openapi-fetch client of the whole API. */
  readonly api: Client<paths>;

  constructor(readonly options: ClientOptions) {
    this.api = createOpenApiClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      headers: { authorization: `Bearer ${options.key}` },
      fetch: retryingFetch(options),
    });
  }

  /**
   * The data of an openapi-fetch answer, or a FenyongError with the API's code and message.
   *   const { balances } = await client.ok(client.api.GET('/v1/balances', {}));
   */
  async ok<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const result = await pending;
    if (result.response.ok) return result.data as T;
    const body = (result.error as { error?: ApiErrorBody } | undefined)?.error;
    throw new FenyongError(
      result.response.status,
      body?.code ?? 'invalid',
      body?.message ?? result.response.statusText,
      body?.path,
    );
  }

  /**
   * Sends events in order, in batches of at most 1000 (one after the other: a tenant's events are
   * applied in time order). Answers one result per event. A batch that fails after every retry
   * throws, and no later batch is sent (`sent` on the error tells how many results came back).
   */
  async send(
    events: readonly (FenyongEvent | Record<string, unknown>)[],
    onBatch?: (done: number, results: readonly ItemResult[]) => void,
  ): Promise<ItemResult[]> {
    const results: ItemResult[] = [];
    for (let start = 0; start < events.length; start += MAX_BATCH) {
      const batch = await Promise.all(events.slice(start, start + MAX_BATCH).map((event) => withIdempotencyId(event)));
      let answer: { results: ItemResult[] };
      try {
        answer = await this.ok(this.api.POST('/v1/events', { body: { events: batch } }));
      } catch (error) {
        throw Object.assign(error as Error, { sent: results.length, results });
      }
      results.push(...answer.results);
      onBatch?.(results.length, answer.results);
    }
    return results;
  }

  /** A queue that sends events every `maxEvents` events or `maxWaitMs` ms (see EventBatcher). */
  batcher(options: BatcherOptions = {}): EventBatcher {
    return new EventBatcher(this, options);
  }
}

export function createClient(options: ClientOptions): FenyongClient {
  return new FenyongClient(options);
}

export interface BatcherOptions {
  /** Send as soon as this many events wait (default 500; batches above 1000 are split). */
  readonly maxEvents?: number;
  /** Send at the latest this long after the first waiting event (default 250 ms). */
  readonly maxWaitMs?: number;
  /** Called with the error of a batch that failed after every retry (its events' promises reject too). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Queues events and sends them in batches: when `maxEvents` wait, or `maxWaitMs` after the first
 * one came. Batches go one at a time, in the order the events were added. `add` answers the
 * event's own result once its batch is sent; `close` sends what is left.
 */
export class EventBatcher {
  private queue: {
    event: FenyongEvent | Record<string, unknown>;
    resolve: (r: ItemResult) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private readonly maxEvents: number;
  private readonly maxWaitMs: number;

  constructor(
    private readonly client: FenyongClient,
    private readonly options: BatcherOptions = {},
  ) {
    this.maxEvents = Math.max(1, options.maxEvents ?? 500);
    this.maxWaitMs = Math.max(0, options.maxWaitMs ?? 250);
  }

  /** Events waiting to be sent. */
  get pending(): number {
    return this.queue.length;
  }

  add(event: FenyongEvent | Record<string, unknown>): Promise<ItemResult> {
    const promise = new Promise<ItemResult>((resolve, reject) => this.queue.push({ event, resolve, reject }));
    promise.catch(() => undefined); // a failure is also reported by onError and close()
    if (this.queue.length >= this.maxEvents) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.maxWaitMs);
    return promise;
  }

  /** Sends everything waiting now; resolves when it (and every earlier batch) is sent. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const items = this.queue;
    this.queue = [];
    if (items.length > 0) {
      this.chain = this.chain.then(async () => {
        try {
          const results = await this.client.send(items.map((item) => item.event));
          items.forEach((item, i) => item.resolve(results[i]!));
        } catch (error) {
          this.failure ??= error;
          this.options.onError?.(error);
          items.forEach((item) => item.reject(error));
        }
      });
    }
    return this.chain;
  }

  /** Sends what is left; rejects with the first failure of any batch. */
  async close(): Promise<void> {
    await this.flush();
    if (this.failure !== null) throw this.failure;
  }
}

/** fetch with retries: the same bytes on every attempt (events get their ids before the first). */
function retryingFetch(options: ClientOptions): (request: Request, init?: RequestInit) => Promise<Response> {
  const base = options.fetch ?? globalThis.fetch;
  const policy = options.retry === false ? { ...DEFAULT_RETRY, retries: 0 } : { ...DEFAULT_RETRY, ...options.retry };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    let body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
    if (body && request.method === 'POST' && path === '/v1/events') body = await withIds(body);
    const retryable = isRetryable(request.method, path) || (request.method === 'POST' && (options.retryPost?.(path) ?? false));
    const attempts = retryable ? policy.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let reason: number | string;
      let retryAfterMs = 0;
      try {
        const response = await base(
          new Request(request.url, {
            method: request.method,
            headers: request.headers,
            body,
            signal: AbortSignal.timeout(policy.timeoutMs),
          }),
        );
        if (response.status < 500 && response.status !== 429) return response;
        if (attempt >= attempts) return response;
        reason = response.status;
        retryAfterMs = Number(response.headers.get('retry-after') ?? 0) * 1000 || 0;
        await response.body?.cancel();
      } catch (error) {
        if (attempt >= attempts)
          throw new FenyongError(
            0,
            'network',
            `${request.method} ${path}: ${error instanceof Error ? error.message : String(error)}`,
          );
        reason = error instanceof Error ? error.message : String(error);
      }
      const backoff = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.max(retryAfterMs, Math.round(backoff * (0.5 + jitter() / 2)));
      options.onRetry?.({ attempt, delayMs, method: request.method, url: request.url, reason });
      await sleep(delayMs);
    }
  };
}

/** A uniform number in [0, 1) for the backoff's jitter. */
function jitter(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;
}

/** Gives each event of a POST /v1/events body the id it needs, once, before any attempt. */
async function withIds(body: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return body;
  }
  const events = (parsed as { events?: unknown }).events;
  const next = Array.isArray(events)
    ? { ...(parsed as object), events: await Promise.all(events.map((event) => withIdempotencyId(event))) }
    : await withIdempotencyId(parsed);
  return new TextEncoder().encode(JSON.stringify(next));
}
