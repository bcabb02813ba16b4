import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createClient, FenyongError, withIdempotencyId, type ClientOptions, type FenyongClient } from './index.ts';

/**
 * A backfill of history through the HTTP API (`fenyong backfill`, docs/integration.md):
 *  1. the scheduler is held off the tenant (POST /v1/backfill/hold, renewed as it goes): a tick
 *     to "now" in the middle would make every later historical event too late;
 *  2. the starting network (JSON lines of members) is imported in chunks, parents first, with
 *     POST /v1/network/import — only possible before the tenant's first event; a chunk whose last
 *     member already exists is skipped, so a run can be repeated after a failure;
 *  3. past events (JSON lines, in time order: orders paid, completed, refunded, members joining…)
 *     go in requests of up to 100,000 (and 48 MB) with POST /v1/backfill/events, one after the
 *     other, the next read while the last is applied (the server applies each in pipelined
 *     transactions); events keep their identities (and get ids
 *     where they need one), so a repeated run, or a retried request, answers `duplicate`;
 *  4. the hold is released: the scheduler then settles what fell due.
 * Progress is reported about once a second.
 */
export interface BackfillOptions {
  readonly url: string;
  /** An admin key of the tenant. */
  readonly key: string;
  /** JSON lines of members ({id, role, level?, parent?, regions?}). */
  readonly network?: string;
  /** JSON lines of events in time order. */
  readonly orders?: string;
  /** Events per request (at most 100,000, the default). */
  readonly batch?: number;
  /** Members per import request (default 20,000). */
  readonly chunk?: number;
  /** Skip the first N lines of the events file (resume a run that stopped). */
  readonly fromLine?: number;
  /** Progress and retries, line by line (default: stderr); rejections are in the report. */
  readonly log?: (line: string) => void;
  readonly progressEveryMs?: number;
  readonly fetch?: ClientOptions['fetch'];
  /** Stops sending events between two batches (the report then says `stopped`). */
  readonly signal?: AbortSignal;
}

export interface Rejection {
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

export interface BackfillReport {
  readonly members: number;
  readonly skippedMembers: number;
  readonly events: number;
  readonly accepted: number;
  readonly duplicate: number;
  readonly rejected: number;
  /** The first rejections, with their line in the events file. */
  readonly rejections: Rejection[];
  readonly networkMs: number;
  readonly eventsMs: number;
  /** The run was stopped (`signal`) before the end of the events file. */
  readonly stopped: boolean;
}

const HOLD_SECONDS = 300;
/** Events per request of POST /v1/backfill/events (the server's limit). */
const MAX_BULK = 100_000;
/** The most JSON a request carries (the server takes 64 MB). */
const MAX_BULK_BYTES = 48 * 1024 * 1024;
/** Room per event for an id added to it and the comma between events. */
const ID_ROOM_BYTES = 64;
const RENEW_EVERY_MS = 60_000;

export async function backfill(options: BackfillOptions): Promise<BackfillReport> {
  // Progress and retries are told on stderr: stdout keeps the command's result.
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const client = createClient({
    baseUrl: options.url,
    key: options.key,
    retry: { retries: 8, timeoutMs: 300_000 },
    // A request of history is retried whole: what it applied before failing comes back duplicate.
    retryPost: (path) => path === '/v1/backfill/events',
    onRetry: (info) => log(`  retrying ${info.method} ${new URL(info.url).pathname} in ${info.delayMs} ms (${info.reason})`),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const me = await client.ok(client.api.GET('/v1/me', {}));
  if (me.key.scope !== 'admin')
    throw new FenyongError(403, 'forbidden', `a backfill needs an admin key of the tenant; this one is ${me.key.scope}`);
  log(`backfill of tenant ${me.tenant.id} (${me.tenant.timezone}, ${me.tenant.currency}) at ${options.url}`);
  await client.ok(client.api.POST('/v1/backfill/hold', { body: { seconds: HOLD_SECONDS } }));
  const renew = setInterval(() => {
    client.api.POST('/v1/backfill/hold', { body: { seconds: HOLD_SECONDS } }).catch(() => undefined);
  }, RENEW_EVERY_MS);
  renew.unref();
  try {
    const started = Date.now();
    const network = options.network
      ? await importNetwork(client, options.network, options.chunk ?? 20_000, log, options.progressEveryMs ?? 1000)
      : { members: 0, skipped: 0 };
    const networkMs = Date.now() - started;
    const eventsStarted = Date.now();
    const events = options.orders
      ? await sendEvents(
          client,
          options.orders,
          Math.min(MAX_BULK, Math.max(1, options.batch ?? MAX_BULK)),
          options.fromLine ?? 0,
          log,
          options.progressEveryMs ?? 1000,
          options.signal,
        )
      : { events: 0, accepted: 0, duplicate: 0, rejected: 0, rejections: [], stopped: false };
    return {
      members: network.members,
      skippedMembers: network.skipped,
      ...events,
      networkMs,
      eventsMs: Date.now() - eventsStarted,
    };
  } finally {
    clearInterval(renew);
    await client.api.DELETE('/v1/backfill/hold', {}).catch(() => undefined);
  }
}

async function importNetwork(
  client: FenyongClient,
  file: string,
  chunk: number,
  log: (line: string) => void,
  everyMs: number,
): Promise<{ members: number; skipped: number }> {
  const members: Record<string, unknown>[] = [];
  for await (const { value } of jsonLines(file)) members.push(value as Record<string, unknown>);
  const ordered = parentsFirst(members);
  const started = Date.now();
  let done = 0;
  let skipped = 0;
  let last = 0;
  for (let start = 0; start < ordered.length; start += chunk) {
    const part = ordered.slice(start, start + chunk);
    const lastId = String(part[part.length - 1]!.id);
    const exists = await client.api.GET('/v1/members/{id}', { params: { path: { id: lastId } } });
    if (exists.response.ok) {
      skipped += part.length; // imported by an earlier run
    } else {
      await client.ok(client.api.POST('/v1/network/import', { body: { members: part } }));
    }
    done += part.length;
    if (Date.now() - last >= everyMs || done === ordered.length) {
      last = Date.now();
      const seconds = (Date.now() - started) / 1000;
      log(
        `network ${fmt(done)}/${fmt(ordered.length)} members (${pct(done, ordered.length)}) · ${fmt(Math.round(done / Math.max(seconds, 0.001)))} members/s${skipped ? ` · ${fmt(skipped)} already there` : ''}`,
      );
    }
  }
  return { members: ordered.length - skipped, skipped };
}

async function sendEvents(
  client: FenyongClient,
  file: string,
  batchSize: number,
  fromLine: number,
  log: (line: string) => void,
  everyMs: number,
  signal?: AbortSignal,
): Promise<Omit<BackfillReport, 'members' | 'skippedMembers' | 'networkMs' | 'eventsMs'>> {
  const total = await countLines(file);
  const started = Date.now();
  const counts = { events: 0, accepted: 0, duplicate: 0, rejected: 0 };
  const rejections: Rejection[] = [];
  let last = 0;
  const progress = (force: boolean) => {
    if (!force && Date.now() - last < everyMs) return;
    last = Date.now();
    const seconds = (Date.now() - started) / 1000;
    const rate = counts.events / Math.max(seconds, 0.001);
    const left = total - fromLine - counts.events;
    log(
      `events ${fmt(fromLine + counts.events)}/${fmt(total)} (${pct(fromLine + counts.events, total)}) · ${fmt(Math.round(rate))}/s · ` +
        `accepted ${fmt(counts.accepted)} · duplicate ${fmt(counts.duplicate)} · rejected ${fmt(counts.rejected)}` +
        (left > 0 && rate > 0 ? ` · ETA ${duration(left / rate)}` : ''),
    );
  };
  let sentThrough = fromLine;
  const send = async (batch: Batch) => {
    // Ids (where an event has no identity of its own) before the first attempt: a retry is the same request.
    const events = await Promise.all(batch.events.map((event) => withIdempotencyId(event)));
    const answer = await client.ok(client.api.POST('/v1/backfill/events', { body: { events } }));
    sentThrough = batch.lines[batch.lines.length - 1]!;
    counts.accepted += answer.accepted;
    counts.duplicate += answer.duplicate;
    counts.rejected += answer.rejected.length;
    for (const { index, error } of answer.rejected) {
      if (rejections.length >= 20) break;
      // (Listed in the report, which the caller shows: not logged as well.)
      rejections.push({ line: batch.lines[index]!, code: error.code, message: error.message });
    }
    counts.events += batch.events.length;
    progress(false);
  };
  // One request in flight at a time (the events must be applied in order), while the next
  // batch is read from the file: the server never waits for the client's parsing.
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  for await (const batch of batches(file, fromLine, batchSize)) {
    if (inFlight) await inFlight;
    if (signal?.aborted) {
      stopped = true;
      log(`stopped after line ${fmt(sentThrough)}: resume with --from-line ${sentThrough}`);
      break;
    }
    inFlight = send(batch);
    inFlight.catch(() => undefined); // (awaited before the next batch goes, or below)
  }
  if (inFlight) await inFlight;
  progress(true);
  return { ...counts, rejections, stopped };
}

interface Batch {
  readonly events: Record<string, unknown>[];
  /** Each event's line in the file. */
  readonly lines: number[];
}

/**
 * The events after `fromLine` in batches of `size`, each also cut before MAX_BULK_BYTES of JSON
 * (the server's body limit, with room for the ids added to events without an identity).
 */
async function* batches(file: string, fromLine: number, size: number): AsyncGenerator<Batch> {
  let batch: Batch = { events: [], lines: [] };
  let bytes = 0;
  for await (const { value, line, length } of jsonLines(file)) {
    if (line <= fromLine) continue;
    if (batch.events.length > 0 && bytes + length + ID_ROOM_BYTES > MAX_BULK_BYTES) {
      yield batch;
      batch = { events: [], lines: [] };
      bytes = 0;
    }
    batch.events.push(value as Record<string, unknown>);
    batch.lines.push(line);
    bytes += length + ID_ROOM_BYTES;
    if (batch.events.length >= size) {
      yield batch;
      batch = { events: [], lines: [] };
      bytes = 0;
    }
  }
  if (batch.events.length > 0) yield batch;
}

/** Parsed JSON lines of a file (blank lines skipped), with their 1-based line numbers. */
async function* jsonLines(file: string): AsyncGenerator<{ value: unknown; line: number; length: number }> {
  const reader = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of reader) {
    line += 1;
    if (text.trim() === '') continue;
    try {
      yield { value: JSON.parse(text) as unknown, line, length: Buffer.byteLength(text) };
    } catch (error) {
      throw new FenyongError(0, 'invalid', `${file}:${line}: not JSON (${(error as Error).message})`);
    }
  }
}

/** Members ordered so that every parent comes before its children (the import checks parents). */
export function parentsFirst<T extends Record<string, unknown>>(members: readonly T[]): T[] {
  const byId = new Map(members.map((m) => [String(m.id), m]));
  const depth = new Map<string, number>();
  const depthOf = (start: T): number => {
    const path: string[] = [];
    let current: T | undefined = start;
    let base = 0;
    while (current) {
      const id = String(current.id);
      const known = depth.get(id);
      if (known !== undefined) {
        base = known + 1;
        break;
      }
      if (path.includes(id)) break; // a cycle: the server will name it
      path.push(id);
      current = current.parent == null ? undefined : byId.get(String(current.parent));
    }
    for (let i = path.length - 1; i >= 0; i--) depth.set(path[i]!, base + (path.length - 1 - i));
    return depth.get(String(start.id)) ?? 0;
  };
  return members
    .map((m, index) => ({ m, index, d: depthOf(m) }))
    .sort((a, b) => a.d - b.d || a.index - b.index)
    .map((x) => x.m);
}

async function countLines(file: string): Promise<number> {
  let count = 0;
  let lastByte = 10;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) count += 1;
    if (bytes.length > 0) lastByte = bytes[bytes.length - 1]!;
  }
  return lastByte === 10 ? count : count + 1;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const pct = (done: number, total: number) => `${total === 0 ? 100 : ((100 * done) / total).toFixed(1)}%`;
function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
