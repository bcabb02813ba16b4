import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { table } from '../../bench/support/report.ts';
import { NatsIngest } from '../../src/ingest/nats.ts';
import type { Rejection } from '../../src/ingest/nats-rejected.ts';
import { eventsSubject, rejectedSubject } from '../../src/ingest/nats-settings.ts';
import { MAX_BATCH, Service } from '../../src/service/service.ts';
import { createTenant } from '../../src/service/tenants.ts';
import { verifyTenant } from '../../src/service/verify.ts';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';
import { connectNats, publish, readSubject, uniqueSettings, waitConsumed, type TestNats } from '../nats/support/nats.ts';
import { createSchema, type TestSchema } from '../nats/support/postgres.ts';
import { eventBatches, stampInstants } from './support/events.ts';
import { FUZZ_SEED, FUZZ_TIMEOUT_MS, fuzzRuns, recordFigures, recordInputs } from './support/figures.ts';
import { FUZZ_PLAN } from './support/fixture.ts';
import { deepJson, hostileValue } from './support/hostile.ts';
import type { KnownIds } from './support/openapi.ts';
import { APPLIED_EVENTS, stateDigester } from './support/state.ts';

/**
 * Junk published to the JetStream stream the consumer reads: bytes that are not UTF-8 or not JSON,
 * JSON that is no event, nesting 100,000 deep, NUL and lone surrogates, batches over the limit,
 * messages near NATS's 1 MB payload limit, and broken events of every type. The consumer must
 * refuse each (a rejection on `<prefix>.<tenant>.rejected` naming the message), never fail a
 * transaction on it (which would redeliver it forever and block the tenant), never apply part of
 * one, and go on: a valid event published after the junk is applied.
 */

const JUNK_RUNS = fuzzRuns(120);
const EVENT_RUNS = fuzzRuns(100);
const TENANT = 'shop';

/** Messages refused whole (not events at all), as raw bytes. */
const junkMessage: fc.Arbitrary<{ kind: string; data: Uint8Array }> = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 200 }).map((data) => ({ kind: 'random bytes', data })),
  fc.constantFrom(
    { kind: 'invalid UTF-8', data: Uint8Array.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]) },
    { kind: 'empty', data: new Uint8Array() },
    { kind: 'deep array', data: new TextEncoder().encode(deepJson(100_000, 'array')) },
    { kind: 'deep object', data: new TextEncoder().encode(deepJson(20_000, 'object')) },
    {
      kind: 'NUL in an event',
      data: new TextEncoder().encode('{"type": "tick", "at": "2026-05-01T00:00:00Z", "id": "a\\u0000b"}'),
    },
    {
      kind: 'lone surrogate in an event',
      data: new TextEncoder().encode('{"type": "tick", "at": "2026-05-01T00:00:00Z", "note": "\\ud800"}'),
    },
    {
      kind: 'batch over the limit',
      data: new TextEncoder().encode(JSON.stringify(new Array(MAX_BATCH + 1).fill({ type: 'tick', at: '2026-05-01T00:00:00Z' }))),
    },
    {
      kind: 'near 1 MB',
      data: new TextEncoder().encode(
        JSON.stringify({ type: 'tick', at: '2026-05-01T00:00:00Z', pad: 'x'.repeat(1_000_000 - 100) }),
      ),
    },
    {
      kind: '__proto__ event',
      data: new TextEncoder().encode('{"__proto__": {"polluted": true}, "type": "tick", "at": "2026-05-01T00:00:00Z"}'),
    },
  ),
  hostileValue
    .filter((value) => value === null || typeof value !== 'object')
    .map((value) => ({ kind: 'JSON scalar', data: new TextEncoder().encode(JSON.stringify(value) ?? 'null') })),
);

describe('fuzzing the NATS consumer', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const settings = uniqueSettings(30_000);
  let db: TestSchema;
  let sql: Sql;
  let service: Service;
  let ingest: NatsIngest;
  let nats: TestNats;
  let digest: Awaited<ReturnType<typeof stateDigester>>;
  const inputs: unknown[] = [];
  const counts = { junk: 0, batches: 0, events: 0, sentinels: 0 };
  const kinds = new Map<string, number>();
  let clock = Date.parse('2026-05-01T00:00:00Z');
  const next = () => new Date((clock += 41_000)).toISOString();
  const known: KnownIds = {
    tenant: TENANT,
    members: ['fz-l1', 'fz-l2', 'fz-c1'],
    orders: ['fz-o1'],
    withdrawals: ['fz-w1'],
    webhooks: [],
    batches: [],
    mappings: [],
    rules: ['fz-direct'],
  };
  const subject = () => eventsSubject(settings.subjectPrefix, TENANT);
  const rejections = async () =>
    (await readSubject<Rejection>(nats.jsm, settings.stream, rejectedSubject(settings.subjectPrefix, TENANT))).map((m) => m.body);
  const started = Date.now();

  /** Publishes a valid event after whatever came before, and checks it was applied: the consumer goes on. */
  async function sentinel(): Promise<void> {
    const id = `fz-sentinel-${++counts.sentinels}`;
    await publish(nats.js, subject(), [{ type: 'member.joined', at: next(), member: { id, role: 'customer', parent: 'fz-l1' } }]);
    await waitConsumed(nats.jsm, settings, 60_000);
    const found = (
      await sql.query<{ n: number }>(
        "select count(*)::int as n from events where tenant_id = $1 and payload->'member'->>'id' = $2",
        [TENANT, id],
      )
    ).rows[0]!.n;
    expect(found, `${id} applied after the junk`).toBe(1);
  }

  beforeAll(async () => {
    db = await createSchema('fuzz');
    sql = await openDatabase({ databaseUrl: db.url });
    service = new Service(sql);
    await createTenant(service, { id: TENANT, name: TENANT, timezone: 'Asia/Shanghai', currency: 'CNY', plan: FUZZ_PLAN });
    await service.importNetwork(
      TENANT,
      [
        { id: 'fz-l1', role: 'leader' },
        { id: 'fz-l2', role: 'leader', parent: 'fz-l1' },
        { id: 'fz-c1', role: 'customer', parent: 'fz-l2' },
      ],
      'test',
    );
    await service.ingest(
      TENANT,
      [
        {
          type: 'order.paid',
          at: next(),
          order: 'fz-o1',
          buyer: 'fz-c1',
          lines: [{ line: 1, sku: 'fz-sku', qty: 1, paid: '300.00' }],
        },
      ],
      'test',
    );
    digest = await stateDigester(sql, { exclude: ['stream_offsets'] });
    nats = await connectNats(settings);
    ingest = await NatsIngest.start(service, settings);
  });

  afterAll(async () => {
    await ingest?.stop();
    await nats?.close();
    await sql?.close();
    await db?.drop();
  });

  it('refuses every junk message with a rejection naming it, applies nothing of it, and goes on', async () => {
    const junk = fc.sample(junkMessage, { seed: FUZZ_SEED, numRuns: JUNK_RUNS });
    const before = await digest();
    const seqs: number[] = [];
    for (const message of junk) {
      seqs.push((await nats.js.publish(subject(), message.data)).seq);
      kinds.set(message.kind, (kinds.get(message.kind) ?? 0) + 1);
      inputs.push({ kind: message.kind, bytes: message.data.length, text: new TextDecoder().decode(message.data.slice(0, 300)) });
    }
    counts.junk += junk.length;
    await waitConsumed(nats.jsm, settings, 120_000);
    const after = await digest();
    expect(after.tables[APPLIED_EVENTS]).toBe(before.tables[APPLIED_EVENTS]);
    expect(ingest.counters.failed).toBe(0);
    const refused = new Set((await rejections()).map((r) => r.seq));
    expect(seqs.filter((seq) => !refused.has(seq))).toEqual([]);
    await sentinel();
  });

  it('applies or refuses broken events of every type, never failing a transaction on one', async () => {
    await fc.assert(
      fc.asyncProperty(eventBatches(known), async (batch) => {
        const events = batch.map((item) => stampInstants(item.value, next));
        const message = events.length === 1 ? events[0] : events;
        let data: string;
        try {
          data = JSON.stringify(message) ?? 'null';
        } catch {
          data = 'null';
        }
        inputs.push({ kind: 'events', text: data.slice(0, 1000) });
        await nats.js.publish(subject(), data);
        counts.batches += 1;
        counts.events += events.length;
      }),
      { seed: FUZZ_SEED, numRuns: EVENT_RUNS },
    );
    await waitConsumed(nats.jsm, settings, 120_000);
    expect(ingest.counters.failed).toBe(0);
    await sentinel();
    const report = await verifyTenant(service, TENANT);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    const stored = (
      await sql.query<{ code: string; n: number }>(
        'select code, count(*)::int as n from rejected_events where tenant_id = $1 group by code order by code',
        [TENANT],
      )
    ).rows;
    const file = recordInputs('fuzz-nats-inputs', inputs);
    recordFigures(
      'fuzz',
      '3-nats',
      [
        '### NATS JetStream consumer',
        '',
        `${counts.junk} junk messages and ${counts.batches} messages of broken events (${counts.events} events) published to \`<prefix>.shop.events\` in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${FUZZ_SEED}). Every junk message got its rejection on \`<prefix>.shop.rejected\` and applied nothing; no transaction failed (0 messages given back); a valid event published after each round was applied; \`verify\` clean afterwards.`,
        '',
        table(
          ['junk message', 'published'],
          [...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => [kind, String(n)]),
        ),
        '',
        `Events refused and recorded (code × count): ${stored.map((r) => `\`${r.code}\` × ${r.n}`).join(', ') || 'none'}.`,
        '',
        file ? `Inputs tried: \`${file}\`.` : '',
      ].join('\n'),
    );
  });
});
