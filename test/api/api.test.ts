import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startApp, ApiClient, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/scenario/run.ts';
import { canonical, readResult, runScenarioOverApi, sendEvents, type ItemReply } from '../support/scenario.ts';

/** Behaviour of the main endpoints, on PGlite and on PostgreSQL. */

const NOW = Date.parse('2026-12-01T00:00:00Z');
const iso = (text: string) => new Date(text).toISOString();

const multiLevel = (rates: string[], id = 'direct') => ({ id, template: 'multi-level', params: { rates, base: 'paid' } });
const line = (paid: string, extra: Record<string, unknown> = {}) => ({ line: 1, sku: 'tea', qty: 1, paid, ...extra });
const paid = (order: string, buyer: string, at: string, amount: string, extra: Record<string, unknown> = {}) => ({
  type: 'order.paid',
  order,
  buyer,
  at,
  lines: [line(amount)],
  ...extra,
});

/** Awards of one order as "to rule amount" (sorted), through GET /v1/awards. */
async function awardsOf(client: ApiClient, order: string): Promise<string[]> {
  const body = await client.ok(client.get('/v1/awards', { order }));
  return body.awards.map((a: { to: string; rule: string; amount: string }) => `${a.to} ${a.rule} ${a.amount}`).sort();
}

const statusOf = (item: ItemReply) => (item.status === 'rejected' ? `rejected ${item.error.code}` : item.status);

describe.each<Backend>(['pglite', 'postgres'])('HTTP API on %s', (backend) => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startApp(backend, { now: () => NOW });
  });
  afterAll(async () => {
    await test?.close();
  });

  async function tenant(id: string, plan: unknown, members: unknown[]): Promise<ApiClient> {
    const { admin } = await createTenant(test, { id, plan });
    if (members.length > 0) await admin.ok(admin.post('/v1/network/import', { members }));
    return admin;
  }

  it('tells the server’s own time of every answer in Server-Timing, refusals included', async () => {
    const admin = await tenant(`timing-${backend}`, { templates: [] }, []);
    const answers = [
      await test.app.inject({
        method: 'GET',
        url: '/v1/balances?member=nobody',
        headers: { authorization: `Bearer ${admin.key}` },
      }),
      await test.app.inject({ method: 'GET', url: '/v1/balances' }),
      await test.app.inject({ method: 'GET', url: '/v1/no-such-route' }),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 401, 404]);
    const durations = answers.map((answer) => /^app;dur=(\d+\.\d)$/.exec(String(answer.headers['server-timing']))?.[1]);
    expect(durations.every((ms) => ms !== undefined && Number(ms) < 60_000)).toBe(true);
    expect(Number(durations[0])).toBeGreaterThan(0); // (a query of the database at least)
  });

  it('answers a batch item by item: accepted, duplicate and rejected, in order; a retried batch changes nothing', async () => {
    const admin = await tenant('batch', { freezeDays: 0, templates: [multiLevel(['10%'])] }, [
      { id: 'L1', role: 'leader' },
      { id: 'C1', role: 'customer', parent: 'L1' },
    ]);
    const t1 = '2026-03-01T10:00:00+08:00';
    const batch = [
      paid('O1', 'C1', t1, '100.00'),
      paid('O1', 'C1', t1, '100.00'),
      paid('O1', 'C1', t1, '99.00'),
      paid('O2', 'C1', t1, '10.00', { referrer: 'ghost' }),
      { type: 'order.paid', at: t1, order: 'O3' },
      { type: 'order.shipped', at: t1, order: 'O1' },
      'not an event',
      { type: 'order.completed', at: '2026-03-02T10:00:00+08:00', order: 'O1' },
      { type: 'withdrawal.requested', at: '2026-03-03T10:00:00+08:00', withdrawal: 'W1', member: 'L1', amount: '1000.00' },
      { type: 'withdrawal.requested', at: '2026-03-03T10:00:00+08:00', withdrawal: 'W1', member: 'L1', amount: '4.00' },
      {
        type: 'order.refunded',
        at: '2026-03-02T12:00:00+08:00',
        order: 'O1',
        refund: 'R1',
        lines: [{ line: 1, qty: 1, amount: '1.00' }],
      },
    ];
    const items = await sendEvents(admin, batch);
    expect(items.map(statusOf)).toEqual([
      'accepted',
      'duplicate',
      'rejected conflict',
      'rejected unknown_member',
      'rejected invalid',
      'rejected invalid',
      'rejected invalid',
      'accepted',
      'rejected insufficient_funds',
      'accepted',
      'rejected invalid',
    ]);
    for (const item of items) {
      if (item.status !== 'rejected') continue;
      expect(Object.keys(item.error).every((key) => ['code', 'message', 'path'].includes(key))).toBe(true);
      expect(item.error.message.length).toBeGreaterThan(0);
    }
    expect(items[4]).toMatchObject({ error: { path: expect.arrayContaining([expect.any(String)]) } });
    expect(items[10]).toMatchObject({ error: { path: ['at'] } });
    const seqs = items.flatMap((item) => (item.status === 'accepted' ? [item.seq] : []));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(3);

    const balances = await admin.ok(admin.get('/v1/balances'));
    expect(balances.balances).toEqual([{ member: 'L1', pending: '0.00', available: '6.00' }]);
    const withdrawals = await admin.ok(admin.get('/v1/withdrawals'));
    expect(withdrawals.withdrawals).toMatchObject([{ withdrawal: 'W1', member: 'L1', amount: '4.00', tax: '0.00', net: '4.00' }]);

    // The whole batch again (a client retrying after a timeout): what was accepted is a duplicate now;
    // the rest is still refused: identity first (O1 with 99.00 and W1 with 1000.00 conflict with
    // what was accepted under their ids), then as earlier than the clock.
    const rejectedBefore = (await admin.ok(admin.get('/v1/events/rejected'))).rejected.length;
    const again = await sendEvents(admin, batch);
    expect(again.map(statusOf)).toEqual([
      'duplicate',
      'duplicate',
      'rejected conflict',
      'rejected invalid',
      'rejected invalid',
      'rejected invalid',
      'rejected invalid',
      'duplicate',
      'rejected conflict',
      'duplicate',
      'rejected invalid',
    ]);
    expect(await admin.ok(admin.get('/v1/balances'))).toEqual(balances);
    expect(await awardsOf(admin, 'O1')).toEqual(['L1 direct 10.00']);
    const rejectedAfter = (await admin.ok(admin.get('/v1/events/rejected'))).rejected.length;
    expect(rejectedAfter - rejectedBefore).toBe(again.filter((item) => item.status === 'rejected').length);
    expect((await admin.ok(admin.get('/v1/verify'))).ok).toBe(true);
  });

  it('words a refused single event by its field, as a batch item is', async () => {
    const admin = await tenant('single-errors', { templates: [multiLevel(['10%'])] }, []);
    const cases: [unknown, string, (string | number)[] | undefined][] = [
      [{ type: 'tick' }, 'required, but missing', ['at']],
      [{ type: 'order.payed', at: '2026-03-01T00:00:00Z' }, 'order.paid', ['type']],
      [{ events: [] }, '', ['events']],
      [[], 'send one event', undefined],
    ];
    for (const [body, message, path] of cases) {
      const refused = await admin.post('/v1/events', body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('invalid');
      expect(refused.body.error.message).toContain(message);
      expect(refused.body.error.path).toEqual(path);
    }
  });

  it('answers a body that is not JSON with 415 and what to send', async () => {
    const admin = await tenant('media', { templates: [multiLevel(['10%'])] }, []);
    const answer = await test.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/xml' },
      payload: '<event type="tick"/>',
    });
    expect(answer.statusCode).toBe(415);
    expect(answer.json().error).toMatchObject({ code: 'invalid', message: expect.stringContaining('application/json') });
  });

  it('lets only an admin key move the clock with a tick: an ingest key could settle every frozen award at once', async () => {
    const admin = await tenant('ticks', { freezeDays: 7, templates: [multiLevel(['10%'])] }, [{ id: 'L1', role: 'leader' }]);
    const { key } = await admin.ok(admin.post('/v1/keys', { scope: 'ingest', label: 'shop' }), 201);
    const ingest = new ApiClient(test.app, key);
    const tick = { type: 'tick', at: '2099-01-01T00:00:00Z' };
    for (const body of [tick, { events: [tick] }]) {
      const refused = await ingest.post('/v1/events', body);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain('needs an admin key');
    }
    expect((await admin.ok(admin.post('/v1/events', { type: 'tick', at: '2026-03-01T00:00:00Z' }))).results).toEqual([
      { status: 'accepted', seq: expect.any(Number) },
    ]);
  });

  it('makes a retried member.moved with an explicit id idempotent; the same id with other content is a conflict', async () => {
    const admin = await tenant('moves', { templates: [multiLevel(['10%'])] }, [
      { id: 'L1', role: 'leader' },
      { id: 'L2', role: 'leader' },
      { id: 'L3', role: 'leader' },
      { id: 'M', role: 'leader', parent: 'L1' },
    ]);
    const parentOf = async (id: string) => (await admin.ok(admin.get(`/v1/members/${id}`))).parent;
    const move = { id: 'mv-1', type: 'member.moved', member: 'M', parent: 'L2', at: '2026-03-01T10:00:00Z' };
    const back = { id: 'mv-2', type: 'member.moved', member: 'M', parent: 'L1', at: '2026-03-02T10:00:00Z' };
    expect((await sendEvents(admin, [move, back])).map(statusOf)).toEqual(['accepted', 'accepted']);
    expect(await parentOf('M')).toBe('L1');

    // Without its id, the late retry would move M again; with it, it is recognised.
    expect((await sendEvents(admin, [move])).map(statusOf)).toEqual(['duplicate']);
    const conflict = (await sendEvents(admin, [{ ...move, parent: 'L3', at: '2026-03-03T10:00:00Z' }]))[0]!;
    expect(conflict).toMatchObject({ status: 'rejected', error: { code: 'conflict', path: ['id'] } });
    expect(await parentOf('M')).toBe('L1');

    // The same through POST /v1/members/:id/move.
    const body = { parent: 'L3', at: '2026-03-04T10:00:00Z', id: 'mv-3' };
    expect(await admin.ok(admin.post('/v1/members/M/move', body))).toMatchObject({ status: 'accepted' });
    expect(await admin.ok(admin.post('/v1/members/M/move', body))).toEqual({ status: 'duplicate' });
    const other = await admin.post('/v1/members/M/move', { ...body, parent: 'L2' });
    expect(other.status).toBe(409);
    expect(other.body).toEqual({ error: { code: 'conflict', message: expect.any(String), path: ['id'] } });
    expect(await parentOf('M')).toBe('L3');
    const moves = await admin.ok(admin.get('/v1/events', { type: 'member.moved' }));
    expect(moves.events.map((e: { payload: { id: string } }) => e.payload.id)).toEqual(['mv-1', 'mv-2', 'mv-3']);
  });

  it('compares an event sent again under its explicit id as the engine does: amounts as money, instants as instants', async () => {
    const admin = await tenant('explicit-ids', { templates: [multiLevel(['10%'])] }, [
      { id: 'L1', role: 'leader' },
      { id: 'C1', role: 'customer', parent: 'L1' },
    ]);
    const order = { id: 'e-1', ...paid('O1', 'C1', '2026-03-01T10:00:00+08:00', '119.80') };
    expect((await sendEvents(admin, [order])).map(statusOf)).toEqual(['accepted']);
    // The same event spelt otherwise: the instant in UTC, the amount without its trailing zero, cost 0 written out.
    const respelt = { ...order, at: '2026-03-01T02:00:00Z', lines: [line('119.8', { cost: '0' })] };
    expect((await sendEvents(admin, [respelt])).map(statusOf)).toEqual(['duplicate']);
    const other = { ...order, lines: [line('119.81')] };
    expect((await sendEvents(admin, [other])).map(statusOf)).toEqual(['rejected conflict']);
    expect(await awardsOf(admin, 'O1')).toHaveLength(1);
  });

  it('prices an order with the plan version in force when it was paid; effectiveFrom must be after the last event', async () => {
    const admin = await tenant('versions', { templates: [multiLevel(['10%'])] }, [
      { id: 'L1', role: 'leader' },
      { id: 'C1', role: 'customer', parent: 'L1' },
    ]);
    const from = '2026-04-01T00:00:00Z';
    expect((await sendEvents(admin, [paid('O1', 'C1', '2026-03-01T00:00:00Z', '100.00')])).map(statusOf)).toEqual(['accepted']);
    const published = await admin.post('/v1/plans', { plan: { templates: [multiLevel(['20%'])] }, effectiveFrom: from });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ version: 2, findings: [] });
    const items = await sendEvents(admin, [
      paid('O2', 'C1', '2026-03-31T23:59:59.999Z', '100.00'),
      paid('O3', 'C1', from, '100.00'),
      paid('O4', 'C1', '2026-04-02T00:00:00Z', '100.00'),
      {
        type: 'order.refunded',
        at: '2026-04-03T00:00:00Z',
        order: 'O1',
        refund: 'R1',
        lines: [{ line: 1, qty: 0, amount: '50.00' }],
      },
    ]);
    expect(items.map(statusOf)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(await awardsOf(admin, 'O1')).toEqual(['L1 direct 5.00']); // refunded under version 1, its payment-time version
    expect(await awardsOf(admin, 'O2')).toEqual(['L1 direct 10.00']);
    expect(await awardsOf(admin, 'O3')).toEqual(['L1 direct 20.00']);
    expect(await awardsOf(admin, 'O4')).toEqual(['L1 direct 20.00']);

    for (const effectiveFrom of ['2026-04-03T00:00:00Z', '2026-04-02T00:00:00Z', 'next tuesday']) {
      const refused = await admin.post('/v1/plans', { plan: { templates: [multiLevel(['30%'])] }, effectiveFrom });
      expect(refused.status, effectiveFrom).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: 'invalid', path: ['effectiveFrom'] } });
    }
    const badPlan = await admin.post('/v1/plans', {
      plan: { templates: [{ id: 'x', template: 'nope' }] },
      effectiveFrom: '2026-05-01T00:00:00Z',
    });
    expect(badPlan.status).toBe(400);
    expect(badPlan.body.error.code).toBe('invalid');

    const versions = await admin.ok(admin.get('/v1/plans'));
    expect(versions.versions.map((v: { version: number; effectiveFrom: string | null }) => [v.version, v.effectiveFrom])).toEqual(
      [
        [1, null],
        [2, iso(from)],
      ],
    );
    expect((await admin.ok(admin.get('/v1/verify'))).ok).toBe(true);
  });

  it("reads an effectiveFrom, an asOf or a report's from without an offset in the tenant's zone, and refuses other forms", async () => {
    const admin = await tenant('zones-' + backend, { templates: [multiLevel(['10%'])] }, [
      { id: 'L1', role: 'leader' },
      { id: 'L2', role: 'leader' },
      { id: 'C1', role: 'customer', parent: 'L1' },
    ]);
    // Asia/Shanghai (the default zone): 2026-05-01 is 2026-04-30T16:00:00Z.
    expect(
      (await admin.post('/v1/plans', { plan: { templates: [multiLevel(['20%'])] }, effectiveFrom: '2026-05-01' })).status,
    ).toBe(201);
    const versions = await admin.ok(admin.get('/v1/plans'));
    expect(versions.versions.at(-1).effectiveFrom).toBe('2026-04-30T16:00:00.000Z');
    expect((await sendEvents(admin, [paid('O1', 'C1', '2026-05-01T02:00:00+08:00', '100.00')])).map(statusOf)).toEqual([
      'accepted',
    ]);
    expect(await awardsOf(admin, 'O1')).toEqual(['L1 direct 20.00']);
    for (const effectiveFrom of ['Dec 5 2026', '12/07/2026']) {
      const refused = await admin.post('/v1/plans', { plan: { templates: [] }, effectiveFrom });
      expect(refused.status, effectiveFrom).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: 'invalid', path: ['effectiveFrom'] } });
    }
    const moved = { type: 'member.moved', at: '2026-05-02T13:00:00+08:00', member: 'C1', parent: 'L2' };
    expect((await sendEvents(admin, [moved])).map(statusOf)).toEqual(['accepted']);
    const before = await admin.ok(admin.get('/v1/members/C1/upline', { asOf: '2026-05-02T12:59:00' }));
    expect(before.upline).toEqual([
      { id: 'C1', role: 'customer', level: null },
      { id: 'L1', role: 'leader', level: 1 },
    ]);
  });

  it('refuses a tenant whose first plan has compliance refusals unless allowed, and a currency ISO 4217 does not know', async () => {
    const fiveLevels = { templates: [multiLevel(['10%', '5%', '3%', '2%', '1%'])] };
    const refused = await test.platform.post('/v1/tenants', { id: `refused-${backend}`, name: 'x', plan: fiveLevels });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid');
    expect(refused.body.error.message).toContain('multi-level-over-3');
    const allowed = await test.platform.post('/v1/tenants', {
      id: `allowed-${backend}`,
      name: 'x',
      plan: fiveLevels,
      allowRefused: true,
    });
    expect(allowed.status).toBe(201);
    const unknown = await test.platform.post('/v1/tenants', { id: `xyz-${backend}`, name: 'x', currency: 'XYZ' });
    expect(unknown.status).toBe(400);
    const lower = await test.platform.post('/v1/tenants', { id: `jpy-${backend}`, name: 'x', currency: 'jpy' });
    expect(lower.status).toBe(201);
    const me = await test.as(lower.body.adminKey).ok(test.as(lower.body.adminKey).get('/v1/me'));
    expect(me.tenant.currency).toBe('JPY');
    expect(me.tenant.decimals).toBe(0);
  });

  it('keeps the last admin key, refuses a webhook that is not http(s), reads includeZero=false as false', async () => {
    const admin = await tenant('keys-' + backend, { templates: [multiLevel(['10%'])] }, [
      { id: 'L1', role: 'leader' },
      { id: 'C1', role: 'customer', parent: 'L1' },
    ]);
    const again = await admin.post('/v1/network/import', { members: [{ id: 'L1', role: 'leader' }] });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toContain('member L1 is in the network already (an earlier import or event)');
    const me = await admin.ok(admin.get('/v1/me'));
    const last = await admin.delete(`/v1/keys/${me.key.id}`);
    expect(last.status).toBe(409);
    expect(last.body.error.message).toContain('last admin key');
    const ftp = await admin.post('/v1/webhooks', { url: 'ftp://example.com/x', topics: ['award.created'] });
    expect(ftp.status).toBe(400);
    expect(ftp.body.error.path).toEqual(['url']);
    const scope = await admin.post('/v1/keys', { scope: 'nope' });
    expect(scope.body.error).toMatchObject({ code: 'invalid', path: ['scope'] });
    await sendEvents(admin, [
      paid('O1', 'C1', '2026-03-01T00:00:00Z', '100.00'),
      {
        type: 'order.refunded',
        at: '2026-03-02T00:00:00Z',
        order: 'O1',
        refund: 'R1',
        lines: [{ line: 1, qty: 1, amount: '100.00' }],
      },
    ]);
    for (const includeZero of ['false', '0']) {
      const body = await admin.ok(admin.get('/v1/awards', { order: 'O1', includeZero }));
      expect(body.awards, includeZero).toEqual([]);
    }
    expect((await admin.ok(admin.get('/v1/awards', { order: 'O1', includeZero: 'true' }))).awards).toHaveLength(1);
  });

  it("refuses an event further ahead of the server's clock than allowed, without letting time pass", async () => {
    const admin = await tenant('ahead-' + backend, { templates: [multiLevel(['10%'])] }, [
      { id: 'L1', role: 'leader' },
      { id: 'C1', role: 'customer', parent: 'L1' },
    ]);
    test.service.aheadLimit = { now: () => NOW, maxAheadMs: 24 * 3600 * 1000 };
    try {
      const typo = await sendEvents(admin, [paid('O1', 'C1', '2099-12-01T10:00:00+08:00', '100.00')]);
      expect(typo[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid', path: ['at'] } });
      expect((typo[0] as { error: { message: string } }).error.message).toContain('later than the server');
      // The clock did not move: an order of now is taken.
      const now = await sendEvents(admin, [paid('O1', 'C1', new Date(NOW + 3600_000).toISOString(), '100.00')]);
      expect(now.map(statusOf)).toEqual(['accepted']);
      // A manual route's own `at` passes the same guard (not only POST /v1/events).
      const at = (hours: number) => new Date(NOW + hours * 3600_000).toISOString();
      await admin.ok(admin.post('/v1/adjustments', { adjustment: 'A1', member: 'L1', amount: '50.00', reason: 'x', at: at(2) }));
      await admin.ok(admin.post('/v1/withdrawals', { withdrawal: 'W1', member: 'L1', amount: '10.00', at: at(3) }));
      const paidLate = await admin.post('/v1/withdrawals/W1/paid', { at: '2099-01-01T00:00:00Z' });
      expect(paidLate.status).toBe(400);
      expect(paidLate.body.error).toMatchObject({ code: 'invalid', path: ['at'] });
      // An id never accepted is refused before the engine: no time passes for a typo.
      const unknown = await admin.post('/v1/withdrawals/NOPE/approve', { at: at(4) });
      expect(unknown.status).toBe(404);
      const events = await admin.ok(admin.get('/v1/events', { sort: 'desc', limit: 1 }));
      expect(events.events[0].type).toBe('withdrawal.requested');
      // An event the log holds, from before the limit, is still a duplicate when sent again.
      test.service.aheadLimit = null;
      const later = paid('O2', 'C1', new Date(NOW + 10 * 86_400_000).toISOString(), '100.00');
      expect((await sendEvents(admin, [later])).map(statusOf)).toEqual(['accepted']);
      test.service.aheadLimit = { now: () => NOW, maxAheadMs: 24 * 3600 * 1000 };
      expect((await sendEvents(admin, [later])).map(statusOf)).toEqual(['duplicate']);
    } finally {
      test.service.aheadLimit = null;
    }
  });

  it('pages withdrawals oldest or newest first with a cursor, every one once', async () => {
    const admin = await tenant('paging-' + backend, { templates: [] }, [{ id: 'L1', role: 'leader' }]);
    await admin.ok(
      admin.post('/v1/adjustments', {
        adjustment: 'A1',
        member: 'L1',
        amount: '100.00',
        reason: 'opening',
        at: '2026-03-01T00:00:00Z',
      }),
    );
    for (let i = 1; i <= 5; i++)
      await admin.ok(
        admin.post('/v1/withdrawals', { withdrawal: `W${i}`, member: 'L1', amount: '1.00', at: `2026-03-0${i + 1}T00:00:00Z` }),
      );
    const walk = async (sort: string): Promise<string[]> => {
      const seen: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 10; page++) {
        const body = await admin.ok(admin.get('/v1/withdrawals', { sort, limit: 2, after }));
        seen.push(...body.withdrawals.map((w: { withdrawal: string }) => w.withdrawal));
        if (body.next === null) return seen;
        after = body.next;
      }
      throw new Error('the cursor never ended');
    };
    expect(await walk('asc')).toEqual(['W1', 'W2', 'W3', 'W4', 'W5']);
    expect(await walk('desc')).toEqual(['W5', 'W4', 'W3', 'W2', 'W1']);
    expect((await admin.ok(admin.get('/v1/withdrawals', { batched: 'false' }))).withdrawals).toHaveLength(5);
    expect((await admin.ok(admin.get('/v1/withdrawals', { batched: 'true' }))).withdrawals).toHaveLength(0);
    expect((await admin.get('/v1/withdrawals', { after: '99999999999999999999' })).status).toBe(400);
  });

  it('explains an award: its sentences in zh-CN (the default) or en, and each figure raw and readable', async () => {
    const admin = await tenant('explain', { templates: [multiLevel(['10%', '5%'])] }, [
      { id: 'L1', role: 'leader' },
      { id: 'L2', role: 'leader', parent: 'L1' },
      { id: 'C1', role: 'customer', parent: 'L2' },
    ]);
    // L1 is one above the seller L2: 5% of the line, 119.80 for two, one of them refunded (59.90 left).
    await sendEvents(admin, [
      { type: 'order.paid', order: 'O1', buyer: 'C1', at: '2026-03-01T10:00:00+08:00', lines: [line('119.80', { qty: 2 })] },
      {
        type: 'order.refunded',
        at: '2026-03-02T10:00:00+08:00',
        order: 'O1',
        refund: 'R1',
        lines: [{ line: 1, qty: 1, amount: '59.90' }],
      },
    ]);
    const zh = await admin.ok(admin.get('/v1/awards/explain', { member: 'L1', order: 'O1', rule: 'direct' }));
    const en = await admin.ok(admin.get('/v1/awards/explain', { member: 'L1', order: 'O1', rule: 'direct', lang: 'en' }));

    // The sentences are the CLI's (`fenyong explain`): a headline, then a line's computation, then the history.
    expect(zh.sentences).toEqual([
      'L1 在订单 O1 上按规则「direct」（多级分销）获得 3.00 CNY，状态：待结算（冻结中）。',
      '  第 1 行：L1 是卖家往上第 1 位，当时等级 1。按实付金额 59.90 CNY 的 5% 计算，精确值 2.995 CNY，四舍五入到分为 3.00 CNY。',
      '变动记录：',
      '  2026-03-01 10:00：入账 +5.99 CNY。',
      '  2026-03-02 10:00：退款 R1 后调整 -2.99 CNY。',
    ]);
    expect(en.sentences).toEqual([
      'L1 earned 3.00 CNY on order O1 under rule "direct" (multi-level); status: pending (frozen).',
      '  Line 1: Because L1 is 1 above the seller in the chain, at level 1 then, L1 gets 5% of the paid amount 59.90 CNY: exactly 2.995 CNY, rounded half-up to 3.00 CNY.',
      'History:',
      '  2026-03-01 10:00: credited +5.99 CNY.',
      '  2026-03-02 10:00: adjusted by -2.99 CNY after refund R1.',
    ]);

    // The award as GET /v1/awards lists it, and its computation: the engine's raw figures (minor
    // units, ppm, exact fractions), each with its readable twin in the tenant currency's decimals.
    expect(zh.award).toEqual({
      to: 'L1',
      order: 'O1',
      period: null,
      rule: 'direct',
      ruleName: null,
      at: '2026-03-01T02:00:00.000Z',
      amount: '3.00',
      status: 'pending',
    });
    expect(zh.explanations).toEqual([
      {
        rule: 'direct',
        template: 'multi-level',
        to: 'L1',
        order: 'O1',
        line: 1,
        reason: 'multi-level.position',
        base: { kind: 'paid', amount: { num: '5990', den: '1' }, amountDecimal: '59.90' },
        rate: '50000',
        ratePercent: '5%',
        exact: { num: '299500000', den: '1000000' },
        exactDecimal: '2.995',
        amount: '300',
        amountDecimal: '3.00',
        position: 1,
        level: 1,
      },
    ]);
    // Only the sentences depend on the language.
    expect({ ...en, sentences: undefined }).toEqual({ ...zh, sentences: undefined });
  });

  it('refuses to explain an award it does not have, one named by both order and period, or in a language other than zh-CN and en', async () => {
    const admin = await tenant('explain-refusals', { templates: [multiLevel(['10%'])] }, [{ id: 'L1', role: 'leader' }]);
    const refusal = async (query: Record<string, string>) => {
      const answer = await admin.get('/v1/awards/explain', query);
      return { status: answer.status, code: answer.body.error.code, path: answer.body.error.path };
    };
    expect(await refusal({ member: 'L1', order: 'O1', rule: 'direct' })).toEqual({
      status: 404,
      code: 'not_found',
      path: undefined,
    });
    expect(await refusal({ member: 'L1', order: 'O1', period: '2026-03', rule: 'direct' })).toEqual({
      status: 400,
      code: 'invalid',
      path: undefined,
    });
    for (const lang of ['fr', 'zh', 'EN', ''])
      expect(await refusal({ member: 'L1', order: 'O1', rule: 'direct', lang })).toEqual({
        status: 400,
        code: 'invalid',
        path: ['lang'],
      });
  });

  it('estimates exactly what the same order earns when paid right after (multi-level + differential)', async () => {
    const admin = await tenant(
      'estimate',
      {
        templates: [
          multiLevel(['10%', '5%'], 'ml'),
          {
            id: 'diff',
            template: 'differential',
            params: { rates: { 1: '3%', 2: '6%', 3: '9%' }, peer: { rate: '10%', of: 'award', generations: 1 }, base: 'profit' },
          },
        ],
      },
      [
        { id: 'B1', role: 'branch', level: 3 },
        { id: 'A1', role: 'agency', level: 2, parent: 'B1' },
        { id: 'A2', role: 'agency', level: 2, parent: 'A1' },
        { id: 'L1', role: 'leader', level: 1, parent: 'A2' },
        { id: 'C1', role: 'customer', parent: 'L1' },
      ],
    );
    const at = '2026-03-05T10:00:00+08:00';
    const lines = [
      { sku: 'tea', category: 'drinks', qty: 3, price: '299.70', cost: '120.00' },
      { sku: 'cup', qty: 1, price: '33.33' },
    ];
    const toEvent = (order: string, buyer: string, extra: Record<string, unknown> = {}) => ({
      type: 'order.paid',
      at,
      order,
      buyer,
      ...extra,
      lines: lines.map((l, i) => ({
        line: i + 1,
        sku: l.sku,
        ...(l.category ? { category: l.category } : {}),
        qty: l.qty,
        paid: l.price,
        ...(l.cost ? { cost: l.cost } : {}),
      })),
    });
    const cases = [
      { order: 'E1', buyer: 'C1', extra: {} }, // a customer bound to leader L1
      { order: 'E2', buyer: 'N1', extra: { referrer: 'L1' } }, // a new buyer, bound by the order
    ];
    for (const { order, buyer, extra } of cases) {
      const estimate = await admin.ok(admin.post('/v1/estimate', { buyer, ...extra, at, lines, lang: 'en' }));
      const estimated = estimate.awards
        .filter((a: { amount: string }) => a.amount !== '0.00')
        .map((a: { to: string; rule: string; amount: string }) => `${a.to} ${a.rule} ${a.amount}`)
        .sort();
      expect(estimated.length).toBeGreaterThanOrEqual(4);
      expect(estimated.some((a: string) => a.includes(' ml ')) && estimated.some((a: string) => a.includes(' diff '))).toBe(true);
      for (const award of estimate.awards) expect(award.why.length).toBeGreaterThan(0);
      expect((await sendEvents(admin, [toEvent(order, buyer, extra)])).map(statusOf)).toEqual(['accepted']);
      expect(await awardsOf(admin, order)).toEqual(estimated);
    }
    const unknown = await admin.post('/v1/estimate', { buyer: 'C1', referrer: 'ghost', lines });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('unknown_member');
  });

  it('answers members, uplines and downlines as of an instant, before and after a move', async () => {
    const admin = await tenant('asof', { templates: [] }, [
      { id: 'L1', role: 'leader' },
      { id: 'L2', role: 'leader', level: 2 },
      { id: 'M', role: 'leader', parent: 'L1' },
      { id: 'C', role: 'customer', parent: 'M' },
    ]);
    const moved = '2026-03-10T00:00:00Z';
    expect(
      (
        await sendEvents(admin, [
          { type: 'member.joined', at: '2026-03-01T00:00:00Z', member: { id: 'J', role: 'leader', parent: 'L2' } },
          { type: 'member.moved', at: moved, member: 'M', parent: 'L2' },
        ])
      ).map(statusOf),
    ).toEqual(['accepted', 'accepted']);
    const before = '2026-03-09T23:59:59.999Z';
    const view = (id: string, asOf?: string) => admin.ok(admin.get(`/v1/members/${id}`, asOf ? { asOf } : undefined));
    expect(await view('M', before)).toMatchObject({ id: 'M', role: 'leader', level: 1, parent: 'L1' });
    expect(await view('M', moved)).toMatchObject({ parent: 'L2' });
    expect(await view('M')).toMatchObject({ parent: 'L2' });
    expect(await view('C')).toMatchObject({ role: 'customer', level: null, parent: 'M' });

    const upline = async (id: string, asOf?: string) =>
      (await admin.ok(admin.get(`/v1/members/${id}/upline`, asOf ? { asOf } : undefined))).upline.map(
        (m: { id: string }) => m.id,
      );
    expect(await upline('C', before)).toEqual(['C', 'M', 'L1']);
    expect(await upline('C', moved)).toEqual(['C', 'M', 'L2']);
    expect(await upline('C')).toEqual(['C', 'M', 'L2']);

    const downline = async (id: string, asOf?: string) =>
      (await admin.ok(admin.get(`/v1/members/${id}/downline`, asOf ? { asOf } : undefined))).children
        .map((m: { id: string }) => m.id)
        .sort();
    expect(await downline('L1', before)).toEqual(['M']);
    expect(await downline('L1', moved)).toEqual([]);
    expect(await downline('L2', before)).toEqual(['J']);
    expect(await downline('L2')).toEqual(['J', 'M']);

    // J joined on 03-01: before that it was not in the network.
    const early = await admin.get('/v1/members/J', { asOf: '2026-02-28T00:00:00Z' });
    expect(early.status).toBe(404);
    expect(early.body.error.code).toBe('not_found');
    const bad = await admin.get('/v1/members/M', { asOf: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid', path: ['asOf'] } });
    expect((await admin.get('/v1/members/nobody')).status).toBe(404);
    const search = await admin.ok(admin.get('/v1/members', { q: 'L' }));
    expect(search.members.map((m: { id: string }) => m.id).sort()).toEqual(['L1', 'L2']);
  });

  it('logs what a rejected event let happen so that a replay does the same, and nothing more', async () => {
    // A meets level 2 from the start; the rejected withdrawal (0) lets time pass but re-checks no
    // level, so O1 is priced with A at 1. O1 completes (3) and is due at once: the rejected
    // withdrawal at that same instant (4) settles it. A tick in the log would do more (raise A).
    const scenario = parseScenario({
      plan: {
        freezeDays: 0,
        levels: [{ level: 2, upgradeWhen: { directRecruits: 1 } }],
        templates: [{ id: 'diff', template: 'differential', params: { rates: { 1: '5%', 2: '10%' }, base: 'paid' } }],
      },
      members: [
        { id: 'A', role: 'agency', level: 1 },
        { id: 'L', role: 'leader', parent: 'A' },
        { id: 'C', role: 'customer', parent: 'L' },
      ],
      events: [
        { at: '2026-06-01T10:00:00+08:00', type: 'withdrawal.requested', withdrawal: 'W1', member: 'A', amount: '5.00' },
        paid('O1', 'C', '2026-06-02T10:00:00+08:00', '100.00'),
        paid('O2', 'C', '2026-06-03T10:00:00+08:00', '100.00'),
        { at: '2026-06-04T10:00:00+08:00', type: 'order.completed', order: 'O1' },
        { at: '2026-06-04T10:00:00+08:00', type: 'withdrawal.requested', withdrawal: 'W2', member: 'L', amount: '500.00' },
      ],
    });
    const expected = canonical(runScenario(scenario).result);
    expect(expected.awards).toEqual([
      { to: 'A', order: 'O2', rule: 'diff', amount: '5.00', status: 'pending' },
      { to: 'L', order: 'O1', rule: 'diff', amount: '5.00', status: 'settled' },
      { to: 'L', order: 'O2', rule: 'diff', amount: '5.00', status: 'pending' },
    ]);
    expect(expected.balances.L).toEqual({ pending: '5.00', available: '5.00' });
    for (const batchSize of [1, 5]) {
      const run = await runScenarioOverApi(test, `replay-${batchSize}`, scenario, { batchSize });
      expect(canonical(run.result)).toEqual(expected);
      expect(await run.admin.ok(run.admin.get('/v1/verify'))).toMatchObject({ ok: true });
      test.service.forget(run.tenant);
      expect(canonical(await readResult(run.admin, run.items))).toEqual(expected);
      const log = await run.admin.ok(run.admin.get('/v1/events'));
      expect(log.events.map((e: { type: string }) => e.type)).toEqual([
        'network.imported',
        'time.passed',
        'order.paid',
        'order.paid',
        'order.completed',
        'time.passed',
      ]);
    }
  });

  it('lists the event log oldest first (paged, by type) and rejected events newest first', async () => {
    const admin = await tenant('log', { templates: [multiLevel(['10%'])] }, [
      { id: 'L1', role: 'leader' },
      { id: 'C1', role: 'customer', parent: 'L1' },
    ]);
    const events = [
      paid('O1', 'C1', '2026-03-01T10:00:00+08:00', '100.00'),
      paid('O2', 'ghost-buyer', '2026-03-01T11:00:00+08:00', '10.00', { referrer: 'ghost' }),
      { type: 'order.completed', at: '2026-03-02T10:00:00+08:00', order: 'O1' },
      { type: 'order.completed', at: '2026-03-02T11:00:00+08:00', order: 'O9' },
      paid('O3', 'C1', '2026-03-03T10:00:00+08:00', '50.00'),
    ];
    expect((await sendEvents(admin, events)).map(statusOf)).toEqual([
      'accepted',
      'rejected unknown_member',
      'accepted',
      'rejected unknown_order',
      'accepted',
    ]);

    const log = await admin.ok(admin.get('/v1/events'));
    const own = log.events.filter((e: { source: string }) => e.source === 'http');
    expect(own.map((e: { type: string }) => e.type)).toEqual(['network.imported', 'order.paid', 'order.completed', 'order.paid']);
    const seqs = log.events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x: number, y: number) => x - y));
    expect(own[1]).toMatchObject({ type: 'order.paid', at: iso('2026-03-01T10:00:00+08:00'), payload: events[0] });
    for (const event of log.events) expect(Object.keys(event).sort()).toEqual(['at', 'payload', 'seq', 'source', 'type']);

    const page = await admin.ok(admin.get('/v1/events', { after: seqs[1], limit: 1 }));
    expect(page.events.map((e: { seq: number }) => e.seq)).toEqual([seqs[2]]);
    const paidOnly = await admin.ok(admin.get('/v1/events', { type: 'order.paid' }));
    expect(paidOnly.events.map((e: { payload: { order: string } }) => e.payload.order)).toEqual(['O1', 'O3']);

    const rejected = await admin.ok(admin.get('/v1/events/rejected'));
    expect(rejected.rejected.map((r: { type: string; code: string }) => `${r.type} ${r.code}`)).toEqual([
      'order.completed unknown_order',
      'order.paid unknown_member',
    ]);
    expect(rejected.rejected[1]).toMatchObject({ source: 'http', payload: events[1], message: expect.stringContaining('ghost') });
    for (const row of rejected.rejected) {
      expect(Object.keys(row).sort()).toEqual(['code', 'id', 'message', 'path', 'payload', 'receivedAt', 'source', 'type']);
      expect(Number.isNaN(Date.parse(row.receivedAt))).toBe(false);
    }
    expect((await admin.ok(admin.get('/v1/events/rejected', { limit: 1 }))).rejected).toHaveLength(1);
    const bad = await admin.get('/v1/events', { limit: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid');
  });
});
