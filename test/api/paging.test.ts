import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startApp, type ApiClient, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';

/**
 * The cursor lists (src/api/paging.ts) beyond GET /v1/withdrawals: GET /v1/adjustments and GET
 * /v1/events/rejected, paged with `sort`, `limit`, `after` and the reply's `next`. Walked a few
 * rows a page over more rows than one page holds, every row comes once, in order.
 */

const ADJUSTMENTS = 23;
const REJECTED = 27;

describe.each<Backend>(['pglite', 'postgres'])('cursor lists on %s', (backend) => {
  let test: TestApp;
  let admin: ApiClient;
  /** Adjustment ids in the order they were posted. */
  const posted: string[] = [];
  /** Orders of the refused events in the order they were sent. */
  const refused: string[] = [];

  const adjust = async (id: string, member: string) => {
    await admin.ok(admin.post('/v1/adjustments', { adjustment: id, member, amount: '1.00', reason: 'paging' }));
    posted.push(id);
  };

  /** Every page of `url` (limit `limit`), following `next`; the rows' keys in the order given. */
  async function walk(url: string, list: string, key: (row: never) => string, query: Record<string, string | number>) {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const body = await admin.ok(admin.get(url, { ...query, ...(after === undefined ? {} : { after }) }));
      pages += 1;
      expect(body[list].length).toBeLessThanOrEqual(Number(query.limit));
      seen.push(...body[list].map(key));
      if (body.next === null) return { seen, pages };
      expect(body.next).toMatch(/^\d+$/);
      expect(body[list].length).toBe(Number(query.limit));
      after = body.next;
      if (pages > 100) throw new Error('the cursor never ended');
    }
  }
  const adjustmentId = (row: { adjustment: string }) => row.adjustment;
  const rejectedOrder = (row: { payload: { order: string } }) => row.payload.order;

  beforeAll(async () => {
    test = await startApp(backend);
    ({ admin } = await createTenant(test, { id: `paging-${backend}`, plan: { templates: [] } }));
    await admin.ok(
      admin.post('/v1/network/import', {
        members: [
          { id: 'L1', role: 'leader' },
          { id: 'L2', role: 'leader' },
        ],
      }),
    );
    // More than nine of each: a cursor compared or ordered as text would put 10 before 9.
    for (let i = 1; i <= ADJUSTMENTS; i++) await adjust(`A${i}`, i % 3 === 0 ? 'L2' : 'L1');
    const orders = Array.from({ length: REJECTED }, (_, i) => `O${i + 1}`);
    const at = new Date().toISOString();
    const reply = await admin.ok(
      admin.post('/v1/events', {
        events: orders.map((order) => ({
          type: 'order.paid',
          at,
          order,
          buyer: 'guest',
          referrer: 'ghost',
          lines: [{ line: 1, sku: 'tea', qty: 1, paid: '1.00' }],
        })),
      }),
    );
    expect(reply.results.every((r: { status: string }) => r.status === 'rejected')).toBe(true);
    refused.push(...orders);
  });
  afterAll(async () => {
    await test?.close();
  });

  it('pages the adjustments newest first by default, and oldest first, every one once', async () => {
    const all = await admin.ok(admin.get('/v1/adjustments'));
    expect(all.adjustments.map(adjustmentId)).toEqual([...posted].reverse());
    expect(all.next).toBeNull();
    const newest = await walk('/v1/adjustments', 'adjustments', adjustmentId, { limit: 4 });
    expect(newest.seen).toEqual([...posted].reverse());
    expect(newest.pages).toBe(Math.ceil(ADJUSTMENTS / 4));
    const oldest = await walk('/v1/adjustments', 'adjustments', adjustmentId, { limit: 5, sort: 'asc' });
    expect(oldest.seen).toEqual(posted);
    // An exact number of pages: the last full page says so by its `next`, the one after is empty.
    const exact = await walk('/v1/adjustments', 'adjustments', adjustmentId, { limit: ADJUSTMENTS, sort: 'asc' });
    expect(exact.seen).toEqual(posted);
  });

  it('pages one member’s adjustments with the same cursor', async () => {
    const ofL2 = posted.filter((_, i) => (i + 1) % 3 === 0);
    const walked = await walk('/v1/adjustments', 'adjustments', adjustmentId, { member: 'L2', limit: 2, sort: 'asc' });
    expect(walked.seen).toEqual(ofL2);
  });

  it('neither skips nor repeats an adjustment posted while a client pages', async () => {
    const first = await admin.ok(admin.get('/v1/adjustments', { sort: 'asc', limit: 10 }));
    await adjust('A-late', 'L1');
    const rest = await walk('/v1/adjustments', 'adjustments', adjustmentId, { sort: 'asc', limit: 10, after: first.next });
    expect([...first.adjustments.map(adjustmentId), ...rest.seen]).toEqual(posted);
    // Newest first, a later one is before the first page: the pages still hold every earlier one once.
    const top = await admin.ok(admin.get('/v1/adjustments', { limit: 7 }));
    await adjust('A-later', 'L2');
    const below = await walk('/v1/adjustments', 'adjustments', adjustmentId, { limit: 7, after: top.next });
    expect([...top.adjustments.map(adjustmentId), ...below.seen]).toEqual(posted.slice(0, -1).reverse());
  });

  it('pages the rejected events newest first by default, and oldest first, every one once', async () => {
    const all = await admin.ok(admin.get('/v1/events/rejected', { limit: 1000 }));
    expect(all.rejected.map(rejectedOrder)).toEqual([...refused].reverse());
    expect(all.rejected.every((r: { code: string }) => r.code === 'unknown_member')).toBe(true);
    expect(all.next).toBeNull();
    const newest = await walk('/v1/events/rejected', 'rejected', rejectedOrder, { limit: 4 });
    expect(newest.seen).toEqual([...refused].reverse());
    const oldest = await walk('/v1/events/rejected', 'rejected', rejectedOrder, { limit: 6, sort: 'asc' });
    expect(oldest.seen).toEqual(refused);
    // The ids are the cursor: increasing oldest first.
    const ids = (await admin.ok(admin.get('/v1/events/rejected', { sort: 'asc' }))).rejected.map((r: { id: number }) => r.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => a - b));
  });

  it('refuses a cursor that is no `next`, and a limit beyond the largest page, with the error body', async () => {
    for (const url of ['/v1/adjustments', '/v1/events/rejected', '/v1/withdrawals']) {
      for (const after of ['abc', '-1', '1e3', '12.5', '9'.repeat(19), '']) {
        const reply = await admin.get(url, { after });
        expect(reply.status, `${url} after=${after}`).toBe(400);
        expect(reply.body, `${url} after=${after}`).toMatchObject({ error: { code: 'invalid', path: ['after'] } });
        expect(typeof reply.body.error.message).toBe('string');
      }
      const sort = await admin.get(url, { sort: 'newest' });
      expect(sort.body).toMatchObject({ error: { code: 'invalid', path: ['sort'] } });
    }
    for (const [url, max] of [
      ['/v1/adjustments', 10_000],
      ['/v1/events/rejected', 1000],
    ] as const) {
      expect((await admin.get(url, { limit: max + 1 })).body).toMatchObject({ error: { code: 'invalid', path: ['limit'] } });
      expect((await admin.get(url, { limit: 0 })).status).toBe(400);
      expect((await admin.get(url, { limit: max })).status).toBe(200);
    }
  });

  it('lists the adjustments of a window: days and months of the tenant zone, `to` inclusive; or instants', async () => {
    const { admin: other } = await createTenant(test, {
      id: `window-${backend}`,
      timezone: 'Asia/Shanghai',
      plan: { templates: [] },
    });
    await other.ok(other.post('/v1/network/import', { members: [{ id: 'L1', role: 'leader' }] }));
    // February's last evening and March's first hour in Shanghai are both February 28 in UTC.
    const instants = {
      jan: '2026-01-15T10:00:00+08:00',
      lateFeb: '2026-02-28T23:30:00+08:00',
      earlyMar: '2026-03-01T00:30:00+08:00',
    };
    for (const [adjustment, at] of Object.entries(instants))
      await other.ok(other.post('/v1/adjustments', { adjustment, member: 'L1', amount: '1.00', reason: 'window', at }));
    const listed = async (query: Record<string, string>) =>
      (await other.ok(other.get('/v1/adjustments', { sort: 'asc', ...query }))).adjustments.map(adjustmentId);
    expect(await listed({})).toEqual(['jan', 'lateFeb', 'earlyMar']);
    expect(await listed({ from: '2026-03' })).toEqual(['earlyMar']);
    // A field left blank is an open end.
    expect(await listed({ from: '', to: '' })).toEqual(['jan', 'lateFeb', 'earlyMar']);
    expect(await listed({ from: '2026-03', to: ' ' })).toEqual(['earlyMar']);
    expect(await listed({ to: '2026-02' })).toEqual(['jan', 'lateFeb']);
    expect(await listed({ from: '2026-02-01', to: '2026-02-28' })).toEqual(['lateFeb']);
    expect(await listed({ from: '2026-02-28T15:30:00Z', to: '2026-02-28T16:30:00Z' })).toEqual(['lateFeb']);
    expect(await listed({ from: '2026-02-28T15:30:00Z', to: '2026-02-28T16:30:00.001Z' })).toEqual(['lateFeb', 'earlyMar']);
    // With the cursor: a page of one, then the rest of the window.
    const first = await other.ok(other.get('/v1/adjustments', { sort: 'asc', to: '2026-02', limit: 1 }));
    expect(first.adjustments.map(adjustmentId)).toEqual(['jan']);
    expect(await listed({ to: '2026-02', after: first.next })).toEqual(['lateFeb']);
    const backwards = await other.get('/v1/adjustments', { from: '2026-03', to: '2026-02' });
    expect(backwards.status).toBe(400);
    expect(backwards.body).toMatchObject({ error: { code: 'invalid', path: ['to'] } });
    expect((await other.get('/v1/adjustments', { from: 'last week' })).body).toMatchObject({
      error: { code: 'invalid', path: ['from'] },
    });
  });

  it('lists the audit entries of a window', async () => {
    const entries = async (query: Record<string, string>) =>
      (await admin.ok(admin.get('/v1/audit', { action: 'adjustment.posted', ...query }))).entries.length;
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const all = await entries({});
    expect(all).toBeGreaterThanOrEqual(ADJUSTMENTS);
    expect(await entries({ from: hourAgo, to: inAnHour })).toBe(all);
    expect(await entries({ to: hourAgo })).toBe(0);
    expect(await entries({ from: inAnHour })).toBe(0);
    expect((await admin.get('/v1/audit', { from: inAnHour, to: hourAgo })).body).toMatchObject({
      error: { code: 'invalid', path: ['to'] },
    });
  });

  it('answers a read key the rejected events, and only an admin key the adjustments', async () => {
    const read = test.as((await admin.ok(admin.post('/v1/keys', { scope: 'read' }), 201)).key);
    expect((await read.get('/v1/events/rejected', { limit: 2 })).body.next).toMatch(/^\d+$/);
    expect((await read.get('/v1/adjustments')).status).toBe(403);
  });
});
