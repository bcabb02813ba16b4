import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createKey } from '../../src/service/keys.ts';
import { Service } from '../../src/service/service.ts';
import { createTenant } from '../../src/service/tenants.ts';
import {
  retryDelayMs,
  signatureHeader,
  verifySignature,
  WebhookDispatcher,
  type DispatcherOptions,
} from '../../src/service/webhooks.ts';
import { openTestDatabase, type Backend, type TestDatabase } from './databases.ts';
import { startReceiver, type Answer, type Receiver } from './receiver.ts';

const TENANT = 'shop';
const PLAN = {
  freezeDays: 0,
  levels: [{ level: 2, upgradeWhen: { directRecruits: 1 } }],
  templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%'], base: 'paid' } }],
};
const line = (paid: string) => [{ line: 1, sku: 's', qty: 1, paid }];
/** Every topic but award.adjusted, in this order (one outbox row each). */
const SCENARIO = [
  { at: '2026-06-01T10:00:00+08:00', type: 'order.paid', order: 'O1', buyer: 'c', lines: line('100.00') }, // award.created
  { at: '2026-06-01T11:00:00+08:00', type: 'order.completed', order: 'O1' }, // award.settled (freezeDays 0)
  { at: '2026-06-02T10:00:00+08:00', type: 'member.joined', member: { id: 'r1', role: 'leader', parent: 'L' } }, // level.changed
  { at: '2026-06-03T10:00:00+08:00', type: 'order.paid', order: 'O2', buyer: 'c', lines: line('50.00') }, // award.created
  {
    at: '2026-06-03T11:00:00+08:00',
    type: 'order.refunded',
    order: 'O2',
    refund: 'R2',
    lines: [{ line: 1, qty: 1, amount: '50.00' }],
  }, // award.reversed
  { at: '2026-06-04T10:00:00+08:00', type: 'withdrawal.requested', withdrawal: 'W1', member: 'L', amount: '10.00' }, // withdrawal.accepted
];
const SCENARIO_TOPICS = [
  'award.created',
  'award.settled',
  'level.changed',
  'award.created',
  'award.reversed',
  'withdrawal.accepted',
];

interface LoggedDelivery {
  outboxId: number;
  topic: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  payload: unknown;
}

describe('webhook signatures and schedule', () => {
  it('retries after 10 s × 2^(attempt − 1), capped at 1 h', () => {
    expect([1, 2, 3, 4, 9, 10, 11, 30].map((attempt) => retryDelayMs(attempt) / 1000)).toEqual([
      10, 20, 40, 80, 2560, 3600, 3600, 3600,
    ]);
  });

  it('verifies a signature over the timestamp and the raw body, within the tolerance', () => {
    const secret = 'whsec_test';
    const body = '{"id":"evt_1","data":{"amount":"1000"}}';
    const now = 1_780_000_000_000;
    const header = signatureHeader(secret, body, now);
    expect(header).toMatch(/^t=1780000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, header, body, 300, now)).toBe(true);
    expect(verifySignature(secret, header, Buffer.from(body), 300, now + 299_000)).toBe(true);
    expect(verifySignature(secret, header, body.replace('1000', '9000'), 300, now)).toBe(false);
    expect(verifySignature('whsec_other', header, body, 300, now)).toBe(false);
    expect(verifySignature(secret, header, body, 300, now + 301_000)).toBe(false);
    expect(verifySignature(secret, header.replace(/t=\d+/, `t=${now / 1000 + 1}`), body, 300, now)).toBe(false);
    expect(verifySignature(secret, undefined, body, 300, now)).toBe(false);
    expect(verifySignature(secret, 'garbage', body, 300, now)).toBe(false);
    // several v1 entries: any may match
    expect(verifySignature(secret, `${header.split(',')[0]},v1=${'0'.repeat(64)},${header.split(',')[1]}`, body, 300, now)).toBe(
      true,
    );
  });
});

describe.each<Backend>(['pglite', 'postgres'])('webhooks on %s', (backend) => {
  let db: TestDatabase;
  let service: Service;
  let app: FastifyInstance;
  let key: string;
  let clock: number;
  let receivers: Receiver[];

  beforeEach(async () => {
    db = await openTestDatabase(backend);
    service = new Service(db.sql);
    await createTenant(service, { id: TENANT, name: 'Shop', timezone: 'Asia/Shanghai', currency: 'CNY', plan: PLAN });
    await service.importNetwork(
      TENANT,
      [
        { id: 'L', role: 'leader', level: 1 },
        { id: 'c', role: 'customer', parent: 'L' },
      ],
      'test',
    );
    key = (await createKey(db.sql, TENANT, 'admin')).key;
    app = await buildApp({ service });
    clock = Math.floor(Date.now() / 1000) * 1000;
    receivers = [];
  });

  afterEach(async () => {
    await app.close();
    for (const receiver of receivers) await receiver.close();
    await db.close();
  });

  const receiver = async (answer?: Answer) => {
    const started = await startReceiver(answer);
    receivers.push(started);
    return started;
  };

  const subscribe = async (url: string, topics?: string[]) => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: { authorization: `Bearer ${key}` },
      payload: { url, ...(topics ? { topics } : {}) },
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string; secret: string }>();
  };

  const deliveryLog = async (webhook: string) => {
    const response = await app.inject({
      method: 'GET',
      url: `/v1/webhooks/${webhook}/deliveries`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ deliveries: LoggedDelivery[] }>().deliveries;
  };

  const dispatcher = (options: DispatcherOptions = {}, sql = db.sql) =>
    new WebhookDispatcher(sql, { now: () => clock, timeoutMs: 5000, ...options });

  const ingest = async (events: readonly unknown[]) => {
    const results = await service.ingest(TENANT, events, 'test');
    expect(results.every((result) => result.status === 'accepted')).toBe(true);
  };

  it('delivers every topic of a scenario, signed, to the subscribed webhooks only', async () => {
    const all = await receiver();
    const payouts = await receiver();
    const hookAll = await subscribe(all.url);
    const hookPayouts = await subscribe(payouts.url, ['withdrawal.accepted']);
    await ingest(SCENARIO);

    const report = await dispatcher().runOnce();
    expect(report).toEqual({ fannedOut: 6, attempted: 7, delivered: 7, retrying: 0, failed: 0 });

    const received = [...all.received].sort((a, b) => Number(a.json.id.slice(4)) - Number(b.json.id.slice(4)));
    expect(received.map((r) => r.json.topic)).toEqual(SCENARIO_TOPICS);
    for (const request of received) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-fenyong-delivery']).toBe(`${hookAll.id}.${request.json.id.slice(4)}`);
      expect(request.json.tenant).toBe(TENANT);
      expect(Object.keys(request.json)).toEqual(['id', 'topic', 'tenant', 'createdAt', 'data']);
      expect(new Date(request.json.createdAt).toISOString()).toBe(request.json.createdAt);
      const signature = request.headers['x-fenyong-signature'] as string;
      expect(signature).toBe(signatureHeader(hookAll.secret, request.body, clock));
      expect(verifySignature(hookAll.secret, signature, request.body, 300, clock)).toBe(true);
      expect(verifySignature(hookAll.secret, signature, request.body.replace(TENANT, 'shoq'), 300, clock)).toBe(false);
      expect(verifySignature(hookPayouts.secret, signature, request.body, 300, clock)).toBe(false);
    }
    const data = received.map((r) => r.json.data);
    expect(data[0]).toMatchObject({ to: 'L', order: 'O1', rule: 'direct', amount: '10.00', delta: '10.00', status: 'pending' });
    expect(data[1]).toMatchObject({ to: 'L', order: 'O1', amount: '10.00', delta: '0.00', status: 'settled' });
    expect(data[2]).toEqual({
      member: 'L',
      at: '2026-06-02T02:00:00.000Z',
      from: { role: 'leader', level: 1 },
      to: { role: 'leader', level: 2 },
      cause: 'upgrade',
    });
    expect(data[4]).toMatchObject({ to: 'L', order: 'O2', amount: '0.00', delta: '-5.00' });
    expect(data[5]).toEqual({
      id: 'W1',
      member: 'L',
      at: '2026-06-04T02:00:00.000Z',
      amount: '10.00',
      tax: '0.00',
      net: '10.00',
      month: '2026-06',
      status: 'approved',
      changedAt: '2026-06-04T02:00:00.000Z',
    });

    expect(payouts.received.map((r) => r.json.topic)).toEqual(['withdrawal.accepted']);
    expect(payouts.received[0]!.json.id).toBe(received[5]!.json.id); // one id per event, whichever webhook
    expect(
      verifySignature(
        hookPayouts.secret,
        payouts.received[0]!.headers['x-fenyong-signature'] as string,
        payouts.received[0]!.body,
        300,
        clock,
      ),
    ).toBe(true);

    // nothing is sent twice
    expect(await dispatcher().runOnce()).toEqual({ fannedOut: 0, attempted: 0, delivered: 0, retrying: 0, failed: 0 });
    expect(all.received).toHaveLength(6);

    const log = await deliveryLog(hookAll.id);
    expect(log.map((d) => d.topic)).toEqual([...SCENARIO_TOPICS].reverse());
    for (const entry of log) {
      expect(entry).toMatchObject({
        status: 'delivered',
        attempts: 1,
        lastStatus: 200,
        lastError: null,
        deliveredAt: new Date(clock).toISOString(),
      });
    }
    expect((await deliveryLog(hookPayouts.id)).map((d) => d.topic)).toEqual(['withdrawal.accepted']);
  });

  it('retries a failing receiver on schedule: delivered on the 3rd attempt, the log shows the attempts', async () => {
    const flaky = await receiver((_request, n) => (n < 2 ? 500 : 200));
    const hook = await subscribe(flaky.url, ['withdrawal.accepted']);
    await ingest(SCENARIO);
    const start = clock;
    const run = () => dispatcher().runOnce();

    expect(await run()).toMatchObject({ attempted: 1, retrying: 1 });
    expect(await deliveryLog(hook.id)).toMatchObject([
      { status: 'pending', attempts: 1, lastStatus: 500, lastError: 'HTTP 500: receiver says no', deliveredAt: null },
    ]);

    clock = start + 9_999;
    expect(await run()).toMatchObject({ attempted: 0 });
    clock = start + 10_000; // 10 s after the 1st attempt
    expect(await run()).toMatchObject({ attempted: 1, retrying: 1 });
    expect(await deliveryLog(hook.id)).toMatchObject([{ status: 'pending', attempts: 2, lastStatus: 500 }]);

    clock = start + 10_000 + 19_999;
    expect(await run()).toMatchObject({ attempted: 0 });
    clock = start + 10_000 + 20_000; // 20 s after the 2nd
    expect(await run()).toMatchObject({ attempted: 1, delivered: 1 });
    expect(await deliveryLog(hook.id)).toMatchObject([
      {
        topic: 'withdrawal.accepted',
        status: 'delivered',
        attempts: 3,
        lastStatus: 200,
        lastError: null,
        deliveredAt: new Date(clock).toISOString(),
      },
    ]);

    expect(flaky.received).toHaveLength(3);
    expect(new Set(flaky.received.map((r) => r.headers['x-fenyong-delivery'])).size).toBe(1);
    expect(new Set(flaky.received.map((r) => r.body)).size).toBe(1); // the same body, signed anew each time
    for (const request of flaky.received)
      expect(verifySignature(hook.secret, request.headers['x-fenyong-signature'] as string, request.body, 60, clock)).toBe(true);
  });

  it('gives up after the maximum attempts: the delivery ends failed', async () => {
    const down = await receiver(() => 503);
    const hook = await subscribe(down.url, ['level.changed']);
    await ingest(SCENARIO);
    const run = () => dispatcher({ maxAttempts: 4 }).runOnce();

    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await run()).toMatchObject({ attempted: 1, retrying: 1 });
      clock += retryDelayMs(attempt);
    }
    expect(await run()).toMatchObject({ attempted: 1, failed: 1 });
    clock += 86_400_000;
    expect(await run()).toMatchObject({ attempted: 0 });
    expect(down.received).toHaveLength(4);
    expect(await deliveryLog(hook.id)).toMatchObject([
      { topic: 'level.changed', status: 'failed', attempts: 4, lastStatus: 503, deliveredAt: null },
    ]);
  });

  it('records refused connections and timeouts as failed attempts', async () => {
    const hanging = await receiver(() => 'hang');
    const closed = await receiver();
    await closed.close();
    const slow = await subscribe(hanging.url, ['withdrawal.accepted']);
    const gone = await subscribe(closed.url, ['withdrawal.accepted']);
    await ingest(SCENARIO);

    expect(await dispatcher({ timeoutMs: 300 }).runOnce()).toMatchObject({ attempted: 2, retrying: 2 });
    expect(await deliveryLog(slow.id)).toMatchObject([
      { status: 'pending', attempts: 1, lastStatus: null, lastError: 'timed out after 300 ms' },
    ]);
    const [refused] = await deliveryLog(gone.id);
    expect(refused).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null });
    expect(refused!.lastError).toMatch(/ECONNREFUSED/);
  });

  it('sends each delivery once when two dispatchers run at the same time', async () => {
    const slowly: Answer = () => new Promise((resolve) => setTimeout(() => resolve(200), 5));
    const a = await receiver(slowly);
    const b = await receiver(slowly);
    await subscribe(a.url);
    await subscribe(b.url, ['award.created', 'withdrawal.accepted']);
    await ingest(SCENARIO);
    const orders = Array.from({ length: 30 }, (_, i) => ({
      at: `2026-06-05T10:${String(i).padStart(2, '0')}:00+08:00`,
      type: 'order.paid',
      order: `P${i}`,
      buyer: 'c',
      lines: line('10.00'),
    }));
    await ingest(orders);
    const expected = 6 + 30 + (2 + 1 + 30);

    const first = dispatcher({ batchSize: 4 });
    const second = dispatcher({ batchSize: 4 }, await db.connect());
    const [one, two] = await Promise.all([first.runOnce(), second.runOnce()]);
    // both passes worked (and on PostgreSQL over separate connections), on disjoint rows
    expect(one.fannedOut + two.fannedOut).toBe(36);
    expect(one.attempted + two.attempted).toBe(expected);
    expect(one.attempted).toBeGreaterThan(0);
    expect(two.attempted).toBeGreaterThan(0);
    expect(one.delivered + two.delivered).toBe(expected);

    const ids = [...a.received, ...b.received].map((r) => r.headers['x-fenyong-delivery'] as string);
    expect(ids).toHaveLength(expected);
    expect(new Set(ids).size).toBe(expected);
    const rows = (
      await db.sql.query<{ status: string; attempts: number; n: string }>(
        'select status, attempts, count(*)::text as n from webhook_deliveries group by status, attempts',
      )
    ).rows;
    expect(rows).toEqual([{ status: 'delivered', attempts: 1, n: String(expected) }]);
  });

  it('fans out only to webhooks that existed when the event happened, and fails deliveries of removed webhooks', async () => {
    const early = await receiver();
    const hook = await subscribe(early.url, ['award.created']);
    await ingest(SCENARIO.slice(0, 1));
    const late = await receiver();
    await subscribe(late.url);
    const removed = await app.inject({
      method: 'DELETE',
      url: `/v1/webhooks/${hook.id}`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(removed.statusCode).toBe(204);

    expect(await dispatcher().runOnce()).toMatchObject({ fannedOut: 1, attempted: 0 });
    // the delivery was created before the webhook went away
    await db.sql.query(
      `insert into webhook_deliveries (tenant_id, webhook_id, outbox_id, next_attempt_at) select tenant_id, 'wh_gone', id, $1::timestamptz from outbox`,
      [new Date(clock).toISOString()],
    );
    expect(await dispatcher().runOnce()).toMatchObject({ attempted: 1, failed: 1 });
    expect(await deliveryLog('wh_gone')).toMatchObject([{ status: 'failed', attempts: 1, lastError: 'the webhook was removed' }]);
    expect(early.received).toHaveLength(0);
    expect(late.received).toHaveLength(0);
  });

  it('runs on its own once started, and stops cleanly', async () => {
    const shop = await receiver();
    await subscribe(shop.url, ['award.created']);
    await ingest(SCENARIO);
    const running = new WebhookDispatcher(db.sql, { intervalMs: 20 });
    running.start();
    for (let waited = 0; shop.received.length < 2 && waited < 10_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await running.stop();
    expect(shop.received.map((r) => r.json.topic)).toEqual(['award.created', 'award.created']);
  });
});
