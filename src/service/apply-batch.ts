import type { EngineError } from '../domain/errors.ts';
import type { Sql } from '../store/sql.ts';
import { BatchRows, type RejectedRow } from './batch-rows.ts';
import { eventKey } from './event-key.ts';
import { fingerprintPayload } from './payload.ts';
import { contentPrint } from '../engine/fingerprint.ts';
import type { EventReader } from '../schema/events.ts';
import { TIME_PASSED, type TenantRuntime } from './runtime.ts';
import { serverInstant } from './server-time.ts';
import { unstorableInput } from './storable.ts';
import { readableInstant } from '../schema/primitives.ts';
import { zonedIso } from '../domain/local-time.ts';

export type ItemResult =
  | { readonly status: 'accepted'; readonly seq: number }
  | { readonly status: 'duplicate' }
  | { readonly status: 'rejected'; readonly error: EngineError };

/** Raw events from one source, applied in order (a request, a run of stream messages…). */
export interface Segment {
  readonly items: readonly unknown[];
  readonly source: string;
  /** The items' `at` was stamped by the server on arrival (the client sent none): see serverInstant. */
  readonly serverTime?: boolean;
  /** The latest instant an item may have (the server's clock and its allowance); any when absent. */
  readonly notAfter?: number;
  /** False: refusals are answered but not kept as rejected events (IngestOptions.logRejections). */
  readonly logRejections?: boolean;
}

/**
 * The longest the apply loop keeps the event loop to itself. A bulk ingestion's previous chunk
 * is being written meanwhile, and each of its statements waits for a turn of the event loop to be
 * sent: long slices leave PostgreSQL idle between statements (and other tenants' requests wait).
 */
const SLICE_MS = 2;
/** Events between two looks at the clock. */
const CLOCK_EVERY = 16;

/** A rejection that may still turn out a duplicate of a logged event (decided after the loop). */
interface Pending {
  readonly row: RejectedRow;
  readonly key: string | null;
  readonly item: unknown;
  readonly segment: number;
  readonly index: number;
}

/**
 * Applies segments of raw events to the tenant's engine, in order, and gathers the rows they
 * write. The log is read only where identity needs it: explicit ids before (the engine does not
 * know them), and rejected events with an identity after (the very event the log holds, sent
 * again after later ones, is a duplicate); an event the engine accepts is new by its identity.
 * `reader` is the batch's transaction, or the pool when the batch is written later (bulk).
 */
export async function applySegments(
  runtime: TenantRuntime,
  reader: Sql,
  tenant: string,
  segments: readonly Segment[],
  notify: boolean,
  /** Events accepted by an earlier batch whose transaction has not committed yet (bulk ingestion). */
  inFlight?: ReadonlyMap<string, unknown>,
  /** Hands the rows over every `every` logged events (to be written while the rest is applied). */
  parts?: { readonly every: number; readonly flush: (rows: BatchRows) => void },
): Promise<{ results: ItemResult[][]; rows: BatchRows; accepted: ReadonlyMap<string, unknown> }> {
  let rows = new BatchRows(runtime.engine.settings.decimals);
  // Text PostgreSQL cannot store (NUL, lone surrogates) or hostile nesting is refused before any query sees it.
  const refused = segments.map((segment) => segment.items.map((item) => unstorableInput(item)));
  // Each item's identity, once (null for a refused one); explicit ids are looked up in the log.
  const keys = segments.map((segment, s) => segment.items.map((item, index) => (refused[s]![index] ? null : eventKey(item))));
  const explicit: string[] = [];
  for (const segmentKeys of keys) for (const key of segmentKeys) if (key !== null && key.startsWith('id:')) explicit.push(key);
  const identities = new Identities(runtime.engine.schemas.event, await loggedPayloads(reader, tenant, explicit), inFlight);
  const pending: Pending[] = [];
  const results: ItemResult[][] = [];
  let applied = 0;
  let sliceStart = performance.now();
  for (const [s, segment] of segments.entries()) {
    const answers: ItemResult[] = [];
    results.push(answers);
    for (const [index, raw] of segment.items.entries()) {
      // Now and then the event loop runs what waits (a bulk ingestion's statements in flight, other tenants).
      if (++applied % CLOCK_EVERY === 0 && performance.now() - sliceStart >= SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const early = refusedBeforeEngine(
        raw,
        keys[s]![index] ?? null,
        refused[s]![index] ?? null,
        segment,
        runtime.engine.settings.timezone,
      );
      if (early) {
        answers.push(reject(pending, early, early.key, raw, s, index));
        continue;
      }
      const item = segment.serverTime ? serverInstant(raw, runtime.engine.state) : raw;
      // (A server-stamped instant leaves the identity as it was: `at` is no part of it.)
      answers.push(applyOne(runtime, item, keys[s]![index]!, segment, identities, rows, notify, pending, s, index));
      if (parts && rows.events.length >= parts.every) {
        parts.flush(rows);
        rows = new BatchRows(runtime.engine.settings.decimals);
      }
    }
  }
  const logged = await loggedPayloads(
    reader,
    tenant,
    pending.flatMap((p) => (p.key ? [p.key] : [])),
  );
  for (const p of pending) {
    // The very event the log already holds, sent again after later events (a client's retry, a
    // redelivery): the engine refuses it as earlier than its clock, but it is a duplicate.
    const sent = p.key ? logged.get(p.key) : undefined;
    if (sent !== undefined && identities.sameContent(sent, p.item, segments[p.segment]!))
      results[p.segment]![p.index] = { status: 'duplicate' };
    else if (segments[p.segment]!.logRejections !== false) rows.rejected.push(p.row);
  }
  return { results, rows, accepted: identities.here };
}

/**
 * Why an item is refused before the engine sees it, or null: text PostgreSQL cannot store (no
 * identity kept: it is not stored either), or an instant further ahead than `notAfter` (time
 * must not pass to it; its identity is kept, so that an event the log holds is still a duplicate).
 */
function refusedBeforeEngine(
  raw: unknown,
  key: string | null,
  unstorable: ReturnType<typeof unstorableInput>,
  segment: Segment,
  zone: string,
): RejectedRow | null {
  const source = segment.source;
  if (unstorable) {
    const { code, message, path } = unstorable;
    return { key: null, type: null, payload: { unstorable: true }, code, message, path, source };
  }
  const ahead = segment.notAfter === undefined ? null : aheadOfClock(raw, segment.notAfter, zone);
  return ahead && { key, type: eventType(raw), payload: raw, ...ahead, source };
}

/** Why an item's `at` is later than `notAfter` allows (a typo in a year, another time zone), or null. */
function aheadOfClock(raw: unknown, notAfter: number, zone: string): Pick<RejectedRow, 'code' | 'message' | 'path'> | null {
  const ms = readableInstant(raw, zone);
  if (ms === null || ms <= notAfter) return null;
  return {
    code: 'invalid',
    message: `at ${(raw as { at: string }).at} is later than the server's clock allows (${zonedIso(notAfter, zone)}): check its year and its time zone (accepting it would move the tenant's clock there for good, and refuse every event before it)`,
    path: ['at'],
  };
}

/** An item's `type`, when it has one as text. */
const eventType = (item: unknown): string | null =>
  item !== null && typeof item === 'object' && typeof (item as { type?: unknown }).type === 'string'
    ? (item as { type: string }).type
    : null;

function reject(
  pending: Pending[],
  row: RejectedRow,
  key: string | null,
  item: unknown,
  segment: number,
  index: number,
): ItemResult {
  pending.push({ row, key, item, segment, index });
  return {
    status: 'rejected',
    error: { code: row.code as EngineError['code'], message: row.message, ...(row.path ? { path: row.path } : {}) },
  };
}

function applyOne(
  runtime: TenantRuntime,
  item: unknown,
  key: string | null,
  from: Segment,
  identities: Identities,
  rows: BatchRows,
  notify: boolean,
  pending: Pending[],
  segment: number,
  index: number,
): ItemResult {
  const source = from.source;
  if (key?.startsWith('id:')) {
    const repeat = identities.repeatOfExplicit(key, item, from);
    if (repeat) return repeat;
  }
  const outcome = runtime.engine.apply(item);
  const type = eventType(item);
  if (outcome.status === 'applied') {
    runtime.seq += 1;
    rows.events.push({ seq: runtime.seq, key, type: type!, at: runtime.engine.state.clock!, payload: item, source });
    rows.addEffects(outcome, runtime.seq, notify);
    if (type === 'adjustment.posted') {
      const adjustment = runtime.engine.state.adjustments.get(String((item as { adjustment: unknown }).adjustment));
      if (adjustment) rows.adjustments.push({ record: adjustment, eventSeq: runtime.seq });
    }
    if (key) identities.accepted(key, item);
    return { status: 'accepted', seq: runtime.seq };
  }
  const effects = outcome.postings.length + outcome.awards.length + outcome.levels.length + outcome.withdrawals.length > 0;
  if (outcome.clockMoved || effects) {
    // Time passed, or work due at this very instant ran, although the event itself changed
    // nothing: the log keeps an entry at that instant so that a replay does the same. A
    // duplicate re-checked levels like a tick does; a rejected event re-checked nothing.
    runtime.seq += 1;
    const at = runtime.engine.state.clock!;
    const entry = outcome.status === 'duplicate' ? 'tick' : TIME_PASSED;
    rows.events.push({
      seq: runtime.seq,
      key: null,
      type: entry,
      at,
      payload: { type: entry, at: new Date(at).toISOString() },
      source: `${source}:time`,
    });
    rows.addEffects(outcome, runtime.seq, notify);
  }
  if (outcome.status === 'duplicate') return { status: 'duplicate' };
  // The same event accepted earlier in this batch, sent again with an earlier instant.
  if (key && identities.sameAsAccepted(key, item, from)) return { status: 'duplicate' };
  const error = outcome.error;
  return reject(
    pending,
    { key, type, payload: item, code: error.code, message: error.message, path: error.path, source },
    key,
    item,
    segment,
    index,
  );
}

/** Event identities of a batch: explicit ids found in the log, and what the batch accepted. */
class Identities {
  readonly here = new Map<string, unknown>();

  constructor(
    private readonly events: EventReader,
    private readonly logged: Map<string, unknown>,
    private readonly inFlight: ReadonlyMap<string, unknown> = new Map(),
  ) {}

  /** An explicit id seen before: a duplicate when the content is the same, else a conflict. */
  repeatOfExplicit(key: string, item: unknown, from: Segment): ItemResult | null {
    const before = this.logged.get(key) ?? this.here.get(key) ?? this.inFlight.get(key);
    if (before === undefined) return null;
    return this.sameContent(before, item, from)
      ? { status: 'duplicate' }
      : {
          status: 'rejected',
          error: { code: 'conflict', message: `event id ${key.slice(3)} was already used for other content`, path: ['id'] },
        };
  }

  accepted(key: string, item: unknown): void {
    this.here.set(key, item);
  }

  sameAsAccepted(key: string, item: unknown, from: Segment): boolean {
    const accepted = this.here.get(key) ?? this.inFlight.get(key);
    return accepted !== undefined && this.sameContent(accepted, item, from);
  }

  sameContent(before: unknown, item: unknown, from: Segment): boolean {
    return sameContent(this.events, before, item, from);
  }
}

/**
 * Whether `item` is `before` sent again: the same content field by field, amounts compared as
 * money and instants as instants (DOMAIN.md), as the engine compares a repeated identity; raw,
 * key order aside, when either does not read as an event. An instant the server stamped (the
 * client sent none) is no part of what was sent: a retry a moment later is stamped anew and is
 * still the same request.
 */
function sameContent(events: EventReader, before: unknown, item: unknown, from: Segment): boolean {
  const print = (value: unknown): string => {
    const parsed = events.safeParse(value);
    if (!parsed.success) return `raw:${fingerprintPayload(from.serverTime ? withoutInstant(value) : value)}`;
    return contentPrint(from.serverTime ? withoutInstant(parsed.data) : parsed.data);
  };
  return print(before) === print(item);
}

function withoutInstant(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { at: _at, ...rest } = value as Record<string, unknown>;
  return rest;
}

/** Event keys of the tenant's log among `keys`, with the logged payload (repeats only: few). */
async function loggedPayloads(tx: Sql, tenant: string, keys: readonly string[]): Promise<Map<string, unknown>> {
  if (keys.length === 0) return new Map();
  const rows = (
    await tx.query<{ event_key: string; payload: unknown }>(
      'select event_key, payload from events where tenant_id = $1 and event_key = any($2::text[])',
      [tenant, [...new Set(keys)]],
    )
  ).rows;
  return new Map(rows.map((row) => [row.event_key, row.payload]));
}
