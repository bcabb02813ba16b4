import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createClient, FenyongError, MAX_BATCH, type FenyongEvent, type ItemResult } from 'fenyong/client';
import { createTenant, startApp, type TenantHandle, type TestApp } from '../support/app.ts';

/**
 * The typed client (`fenyong/client`): retries that keep idempotency, against a fake server that
 * fails first attempts and against the real API with answers lost on the way; batching.
 */

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

/** A fake fenyong: records requests; `answer` decides each reply (default: everything accepted). */
async function fakeServer(
  answer: (seen: Seen, index: number, res: ServerResponse) => boolean | void,
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { method: req.method!, path: req.url!, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      if (answer(entry, seen.length - 1, res)) return;
      const events = entry.body ? ((JSON.parse(entry.body) as { events?: unknown[] }).events ?? [null]) : [];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ results: events.map((_, i) => ({ status: 'accepted', seq: i + 1 })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const noSleep = async () => undefined;
const paid = (n: number, at = `2026-03-01T10:00:${String(n % 60).padStart(2, '0')}+08:00`): FenyongEvent => ({
  type: 'order.paid',
  at,
  order: `O${n}`,
  buyer: `C${n}`,
  referrer: 'L1',
  lines: [{ line: 1, sku: 'tea', qty: 1, paid: '10.00' }],
});

describe('client retries', () => {
  it('retries a 503 and a dropped connection with the very same body: every event keeps its id', async () => {
    const fake = await fakeServer((_seen, index, res) => {
      if (index === 0) {
        res.writeHead(503).end('busy');
        return true;
      }
      if (index === 1) {
        res.destroy(); // the connection drops: a network error
        return true;
      }
    });
    const retries: unknown[] = [];
    const client = createClient({
      baseUrl: fake.url,
      key: 'fyk_x.y',
      sleep: noSleep,
      onRetry: (info) => retries.push(info.reason),
    });
    const events: FenyongEvent[] = [
      paid(1),
      { type: 'member.moved', at: '2026-03-01T11:00:00+08:00', member: 'C1', parent: 'L2' },
      { type: 'member.promoted', at: '2026-03-01T12:00:00+08:00', member: 'C1', id: 'mine-1' },
    ];
    const results = await client.send(events);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(fake.seen).toHaveLength(3);
    expect(retries).toEqual([503, expect.any(String)]);
    const bodies = fake.seen.map((s) => s.body);
    expect(new Set(bodies).size).toBe(1); // byte for byte the same request every time
    const sent = JSON.parse(bodies[0]!).events;
    expect(sent[0].id).toBeUndefined(); // an order is recognised by its order id
    expect(sent[1].id).toMatch(/^ev_[0-9a-f]{32}$/); // a move needs an id to be idempotent
    expect(sent[2].id).toBe('mine-1'); // the caller's own id is kept
    // The same event always gets the same id (also after a restart of the sender).
    await client.send([events[1]!]);
    expect(JSON.parse(fake.seen[3]!.body).events[0].id).toBe(sent[1].id);
    await fake.close();
  });

  it('does not retry a 4xx, nor a POST that is not idempotent; gives up after the last retry with the last answer', async () => {
    const fake = await fakeServer((seen, _index, res) => {
      if (seen.path === '/v1/events') {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'invalid', message: 'bad batch', path: ['events'] } }));
      } else {
        res.writeHead(502).end();
      }
      return true;
    });
    const client = createClient({ baseUrl: fake.url, key: 'fyk_x.y', sleep: noSleep, retry: { retries: 2 } });
    const refused = await client.send([paid(1)]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FenyongError);
    expect(refused).toMatchObject({ status: 400, code: 'invalid', message: 'bad batch', path: ['events'] });
    expect(fake.seen).toHaveLength(1);
    const key = await client.api.POST('/v1/keys', { body: { scope: 'read' } });
    expect(key.response.status).toBe(502);
    expect(fake.seen).toHaveLength(2); // creating a key twice is not harmless: one attempt
    const read = await client.api.GET('/v1/me', {});
    expect(read.response.status).toBe(502);
    expect(fake.seen).toHaveLength(5); // a read: the first attempt and two retries
    await fake.close();
  });

  it('against the real API, a batch whose answer was lost is applied once: the retry answers duplicate', async () => {
    const test: TestApp = await startApp('postgres');
    try {
      const address = await test.app.listen({ port: 0, host: '127.0.0.1' });
      const shop: TenantHandle = await createTenant(test, {
        id: `client-${randomBytes(3).toString('hex')}`,
        plan: {
          freezeDays: 0,
          templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } }],
        },
      });
      await shop.admin.ok(
        shop.admin.post('/v1/network/import', {
          members: [
            { id: 'L1', role: 'leader' },
            { id: 'L2', role: 'leader' },
          ],
        }),
      );
      let lost = 0;
      const client = createClient({
        baseUrl: address,
        key: shop.adminKey,
        sleep: noSleep,
        // The request reaches fenyong and is applied, but the answer never comes back.
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (lost++ === 0) throw new TypeError('fetch failed: the answer was lost');
          return response;
        },
      });
      const events: FenyongEvent[] = [
        paid(1),
        { type: 'member.moved', at: '2026-03-01T11:00:00+08:00', member: 'L2', parent: 'L1' },
        { type: 'order.completed', at: '2026-03-01T12:00:00+08:00', order: 'O1' },
      ];
      const results = await client.send(events);
      expect(lost).toBe(2);
      expect(results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
      const log = await client.ok(client.api.GET('/v1/events', { params: { query: { limit: 100 } } }));
      // Each event is in the log once (the retry may let due work run: a settlement, logged as a tick).
      const sent = ['order.paid', 'member.moved', 'order.completed'];
      expect(log.events.map((e) => e.type).filter((t) => sent.includes(t))).toEqual(sent);
      const awards = await client.ok(client.api.GET('/v1/awards', { params: { query: { order: 'O1' } } }));
      expect(awards.awards).toEqual([
        {
          to: 'L1',
          order: 'O1',
          period: null,
          rule: 'direct',
          ruleName: null,
          at: '2026-03-01T02:00:01.000Z',
          amount: '1.00',
          status: expect.any(String),
        },
      ]);
      const balances = await client.ok(client.api.GET('/v1/balances', { params: { query: { member: 'L1' } } }));
      expect(JSON.stringify(balances)).toContain('1.00');
    } finally {
      await test.close();
    }
  });
});

describe('client batching', () => {
  it('send splits any number of events into batches of at most 1000, in order', async () => {
    const fake = await fakeServer(() => undefined);
    const client = createClient({ baseUrl: fake.url, key: 'fyk_x.y' });
    const events = Array.from({ length: 2 * MAX_BATCH + 500 }, (_, i) => paid(i));
    const progress: number[] = [];
    const results = await client.send(events, (done) => progress.push(done));
    expect(results).toHaveLength(2500);
    const batches = fake.seen.map((s) => JSON.parse(s.body).events.map((e: { order: string }) => e.order));
    expect(batches.map((b: string[]) => b.length)).toEqual([1000, 1000, 500]);
    expect(batches.flat()).toEqual(events.map((e) => (e as { order: string }).order));
    expect(progress).toEqual([1000, 2000, 2500]);
    await fake.close();
  });

  it('a batcher sends every N events, or T ms after the first one waited, and answers each event its own result', async () => {
    const fake = await fakeServer(() => undefined);
    const client = createClient({ baseUrl: fake.url, key: 'fyk_x.y' });
    const batcher = client.batcher({ maxEvents: 100, maxWaitMs: 60_000 });
    const pending: Promise<ItemResult>[] = [];
    for (let i = 0; i < 250; i++) pending.push(batcher.add(paid(i)));
    await Promise.all(pending.slice(0, 200));
    expect(fake.seen.map((s) => JSON.parse(s.body).events.length)).toEqual([100, 100]);
    expect(batcher.pending).toBe(50);
    await batcher.close();
    expect(fake.seen.map((s) => JSON.parse(s.body).events.length)).toEqual([100, 100, 50]);
    const results = await Promise.all(pending);
    expect(results[0]).toEqual({ status: 'accepted', seq: 1 });
    expect(results[249]).toEqual({ status: 'accepted', seq: 50 });

    const timed = client.batcher({ maxEvents: 1000, maxWaitMs: 30 });
    const started = Date.now();
    const five = Array.from({ length: 5 }, (_, i) => timed.add(paid(1000 + i)));
    await Promise.all(five);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(JSON.parse(fake.seen[3]!.body).events).toHaveLength(5);

    const big = client.batcher({ maxEvents: 2500, maxWaitMs: 60_000 });
    const all = Array.from({ length: 2500 }, (_, i) => big.add(paid(2000 + i)));
    await Promise.all(all);
    expect(fake.seen.slice(4).map((s) => JSON.parse(s.body).events.length)).toEqual([1000, 1000, 500]);
    await fake.close();
  });

  it('a batch that fails after every retry rejects its events, is reported, and nothing after it is sent out of order', async () => {
    const fake = await fakeServer((_seen, index, res) => {
      if (index === 1) {
        res.writeHead(500).end();
        return true;
      }
    });
    const errors: unknown[] = [];
    const client = createClient({ baseUrl: fake.url, key: 'fyk_x.y', retry: false });
    const batcher = client.batcher({ maxEvents: 2, maxWaitMs: 60_000, onError: (e) => errors.push(e) });
    const first = [batcher.add(paid(1)), batcher.add(paid(2))];
    const second = [batcher.add(paid(3)), batcher.add(paid(4))];
    await Promise.all(first);
    await expect(second[0]).rejects.toBeInstanceOf(FenyongError);
    await expect(batcher.close()).rejects.toMatchObject({ status: 500 });
    expect(errors).toHaveLength(1);
    expect(fake.seen).toHaveLength(2);
    await fake.close();
  });
});
