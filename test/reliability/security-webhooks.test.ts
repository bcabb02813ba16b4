import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Service } from '../../src/service/service.ts';
import { createTenant } from '../../src/service/tenants.ts';
import { WebhookDispatcher } from '../../src/service/webhooks.ts';
import { buildApp } from '../../src/api/app.ts';
import { createKey } from '../../src/service/keys.ts';
import { openTestDatabase, type TestDatabase } from '../support/db.ts';
import { startReceiver, type Receiver } from '../webhooks/receiver.ts';
import { recordFigures } from './support/figures.ts';
import type { FastifyInstance } from 'fastify';

/**
 * Webhook deliveries are verified here the way a shop's receiver would, knowing only the
 * documented scheme (X-Fenyong-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"
 * under the webhook's secret>) and none of fenyong's code: every delivery verifies with its
 * webhook's secret, and fails with another secret, another body or another timestamp.
 */

/** A receiver's check, written from the README alone. */
function receiverAccepts(secret: string, header: string | undefined, body: string, nowSeconds: number): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isSafeInteger(t) || Math.abs(nowSeconds - t) > 300 || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1!, 'hex'));
}

describe('webhook signatures, verified as a receiver would', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let receiver: Receiver;
  const clock = Date.parse('2026-06-05T00:00:00Z');
  const secrets: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    const service = new Service(db.sql);
    await createTenant(service, {
      id: 'shop',
      name: 'shop',
      timezone: 'Asia/Shanghai',
      currency: 'CNY',
      plan: { freezeDays: 0, templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%'], base: 'paid' } }] },
    });
    app = await buildApp({ service, platformToken: 'p' });
    await app.ready();
    receiver = await startReceiver();
    const key = (await createKey(db.sql, 'shop', 'admin')).key;
    const hooks = [];
    for (let i = 0; i < 2; i++) {
      const reply = await app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: { authorization: `Bearer ${key}` },
        payload: { url: receiver.url },
      });
      hooks.push(reply.json<{ id: string; secret: string }>());
    }
    secrets.push(...hooks.map((hook) => hook.secret));
    await service.importNetwork(
      'shop',
      [
        { id: 'L', role: 'leader' },
        { id: 'c', role: 'customer', parent: 'L' },
      ],
      'test',
    );
    await service.ingest(
      'shop',
      [
        {
          type: 'order.paid',
          at: '2026-06-01T10:00:00+08:00',
          order: 'O1',
          buyer: 'c',
          lines: [{ line: 1, sku: 's', qty: 1, paid: '100.00' }],
        },
        { type: 'order.completed', at: '2026-06-01T11:00:00+08:00', order: 'O1' },
        { type: 'withdrawal.requested', at: '2026-06-02T10:00:00+08:00', withdrawal: 'W1', member: 'L', amount: '5.00' },
      ],
      'test',
    );
    await new WebhookDispatcher(db.sql, { now: () => clock, timeoutMs: 5000 }).runOnce();
  });

  afterAll(async () => {
    await receiver?.close();
    await app?.close();
    await db?.close();
  });

  it('signs every delivery so that exactly its own webhook secret verifies it', () => {
    expect(receiver.received.length).toBeGreaterThanOrEqual(6);
    const now = clock / 1000;
    let checked = 0;
    for (const delivery of receiver.received) {
      const header = delivery.headers['x-fenyong-signature'] as string;
      const own = secrets.filter((secret) => receiverAccepts(secret, header, delivery.body, now));
      expect(own).toHaveLength(1);
      const [secret] = own as [string];
      expect(receiverAccepts(secret, header, delivery.body.replace('"shop"', '"shoq"'), now)).toBe(false);
      expect(
        receiverAccepts(
          secret,
          header.replace(/t=(\d+)/, (_, t: string) => `t=${Number(t) + 1}`),
          delivery.body,
          now,
        ),
      ).toBe(false);
      expect(receiverAccepts(secret, header, delivery.body, now + 301)).toBe(false);
      expect(receiverAccepts(secret, undefined, delivery.body, now)).toBe(false);
      checked += 1;
    }
    recordFigures(
      'security',
      '6-webhooks',
      `### Webhook signatures\n\n${checked} deliveries to two webhooks verified by a receiver written from the documented scheme alone (HMAC-SHA256 of \`<t>.<raw body>\`, constant-time compare, 300 s tolerance): each verifies with its own webhook's secret only, and fails with a changed body, a changed timestamp or a stale one. (Incoming shop webhooks: wrong signatures get 401 and write nothing in the fuzz suite; \`test/webhooks/webhooks.test.ts\` checks the same with fenyong's own verifier.)`,
    );
  });
});
