import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreset, presetNames, type Preset } from '../../src/mappings/presets.ts';
import { signPayload, type SignatureScheme } from '../../src/mappings/signature.ts';
import { Scheduler } from '../../src/service/scheduler.ts';
import { createKey, createTenant, startApp, type Json, type Reply, type TenantHandle, type TestApp } from '../support/app.ts';

/**
 * Payload mappings over HTTP on PostgreSQL: every shipped mapping's samples, posted as the shop
 * posts them (signed, raw bytes) to POST /v1/ingest/:tenant/:name, give exactly the awards and
 * balances that their native events give on a twin tenant; bad payloads and signatures are
 * refused clearly.
 */

export const PLAN = {
  freezeDays: 0,
  templates: [
    { id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } },
    { id: 'pickup', template: 'group-buy', params: { pickupRate: '5%', recommenderRate: '1%', base: 'paid' } },
    { id: 'area', template: 'region', params: { rates: { province: '1%' }, base: 'paid' } },
    {
      id: 'tea',
      template: 'targeted',
      params: { from: '2026-01-01', to: '2027-01-01', categories: ['tea'], rate: '2%', base: 'profit' },
    },
  ],
};

/** The network the shipped samples assume (see mappings/<name>/README.md). */
export const NETWORK = [
  { id: 'A1', role: 'agency', level: 2, regions: ['33'] },
  { id: 'L2001', role: 'leader', level: 1, parent: 'A1' },
  { id: 'L2002', role: 'leader', level: 1, parent: 'A1' },
];

const SECRET = 'test-shop-secret-0123456789';
const suffix = randomBytes(3).toString('hex');

/** Posts a body to a mapping's endpoint as a shop does: raw bytes, signed unless told otherwise. */
async function push(
  test: TestApp,
  url: string,
  body: string,
  options: {
    headers?: Record<string, string>;
    scheme?: SignatureScheme;
    secret?: string;
    signature?: string | null;
    contentType?: string;
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json', ...options.headers };
  if (options.signature !== null && options.scheme) {
    headers[options.scheme.header] = options.signature ?? signPayload(options.scheme, options.secret ?? SECRET, body);
  }
  const response = await test.app.inject({ method: 'POST', url, headers, payload: body });
  let parsed: Json = null;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    parsed = response.body;
  }
  return { status: response.statusCode, body: parsed, text: response.body };
}

const schemeOf = (preset: Preset): SignatureScheme => ({ prefix: '', ...preset.signature });

async function tenantWithNetwork(test: TestApp, id: string): Promise<TenantHandle> {
  const handle = await createTenant(test, { id, timezone: 'Asia/Shanghai', currency: 'CNY', plan: PLAN });
  await handle.admin.ok(handle.admin.post('/v1/network/import', { members: NETWORK }));
  return handle;
}

/** Awards, balances and the event log as a tenant's admin reads them, sorted for comparison. */
async function outcome(handle: TenantHandle): Promise<{ awards: Json[]; balances: Json[]; types: string[] }> {
  const awards = await handle.admin.ok(handle.admin.get('/v1/awards', { includeZero: true, limit: 5000 }));
  const balances = await handle.admin.ok(handle.admin.get('/v1/balances'));
  const events = await handle.admin.ok(handle.admin.get('/v1/events', { limit: 1000 }));
  const key = (a: Json) => JSON.stringify(a);
  return {
    awards: [...awards.awards].sort((a, b) => key(a).localeCompare(key(b))),
    balances: [...balances.balances].sort((a, b) => key(a).localeCompare(key(b))),
    types: events.events.map((e: Json) => e.type),
  };
}

describe('payload mappings (PostgreSQL)', () => {
  let test: TestApp;

  beforeAll(async () => {
    test = await startApp('postgres');
  });
  afterAll(async () => {
    await test?.close();
  });

  it('ships at least a Chinese mall mapping and a Shopify one, each with samples', () => {
    expect(presetNames()).toEqual(expect.arrayContaining(['cn-mall', 'shopify']));
    for (const name of presetNames()) expect(loadPreset(name)!.samples.length).toBeGreaterThanOrEqual(4);
  });

  describe.each(['cn-mall', 'shopify'])('the shipped %s mapping', (name) => {
    const preset = loadPreset(name)!;
    const scheme = schemeOf(preset);
    let mapped: TenantHandle;
    let native: TenantHandle;

    beforeAll(async () => {
      mapped = await tenantWithNetwork(test, `map-${name}-${suffix}`);
      native = await tenantWithNetwork(test, `nat-${name}-${suffix}`);
    });

    it('saves from the preset: every sample is mapped and checked, the secret is not shown back', async () => {
      const saved = await mapped.admin.ok(
        mapped.admin.request('PUT', `/v1/mappings/${name}`, { body: { preset: name, signature: { secret: SECRET } } }),
      );
      expect(saved).toMatchObject({ name, created: true, url: `/v1/ingest/${mapped.tenant}/${name}`, signature: scheme });
      expect(saved.secret).toBeUndefined();
      expect(saved.samples.map((s: Json) => s.name)).toEqual(preset.samples.map((s) => s.name));
      const read = await mapped.admin.ok(mapped.admin.get(`/v1/mappings/${name}`));
      expect(read.expression).toBe(preset.expression);
      expect(JSON.stringify(read)).not.toContain(SECRET);
    });

    it('gives the same awards and balances as the native events, sample by sample', async () => {
      const url = `/v1/ingest/${mapped.tenant}/${name}`;
      for (const sample of preset.samples) {
        const reply = await push(test, url, JSON.stringify(sample.payload), { headers: { ...sample.headers }, scheme });
        expect(reply.status, `${sample.name}: ${reply.text}`).toBe(200);
        expect(reply.body.results.map((r: Json) => r.status)).toEqual(sample.expect!.map(() => 'accepted'));
        if (sample.expect!.length > 0) {
          const items = await native.admin.ok(native.admin.post('/v1/events', { events: sample.expect }));
          expect(
            items.results.map((r: Json) => r.status),
            sample.name,
          ).toEqual(sample.expect!.map(() => 'accepted'));
        }
      }
      for (const handle of [mapped, native]) {
        await handle.admin.ok(handle.admin.post('/v1/events', { type: 'tick', at: '2026-04-01T00:00:00+08:00' }));
      }
      const [a, b] = [await outcome(mapped), await outcome(native)];
      expect(a.awards.length).toBeGreaterThanOrEqual(4);
      expect(a.awards.some((award) => award.status === 'settled')).toBe(true);
      expect(a.awards).toEqual(b.awards);
      expect(a.balances).toEqual(b.balances);
      expect(a.types).toEqual(b.types);
      expect((await mapped.admin.ok(mapped.admin.get('/v1/verify'))).ok).toBe(true);
    });

    it('answers a shop that sends the same webhooks again with duplicates, changing nothing', async () => {
      const before = await outcome(mapped);
      for (const sample of preset.samples) {
        const reply = await push(test, `/v1/ingest/${mapped.tenant}/${name}`, JSON.stringify(sample.payload), {
          headers: { ...sample.headers },
          scheme,
        });
        expect(reply.status, reply.text).toBe(200);
        expect(reply.body.results.map((r: Json) => r.status)).toEqual(sample.expect!.map(() => 'duplicate'));
      }
      expect(await outcome(mapped)).toEqual(before);
    });
  });

  describe('errors', () => {
    let shop: TenantHandle;
    const cn = loadPreset('cn-mall')!;
    const scheme = schemeOf(cn);
    const paid = cn.samples.find((s) => s.name === '03-trade-paid')!;
    let url: string;

    beforeAll(async () => {
      shop = await tenantWithNetwork(test, `map-err-${suffix}`);
      await shop.admin.ok(
        shop.admin.request('PUT', '/v1/mappings/mall', { body: { preset: 'cn-mall', signature: { secret: SECRET } } }),
      );
      url = `/v1/ingest/${shop.tenant}/mall`;
      for (const sample of cn.samples.slice(0, 2)) {
        expect((await push(test, url, JSON.stringify(sample.payload), { scheme })).status).toBe(200);
      }
    });

    it('refuses a payload the mapping cannot turn into a valid event: 400 naming the mapping and the field', async () => {
      const bad = structuredClone(paid.payload) as Json;
      bad.msg.items[1].payment = '59.7元';
      const reply = await push(test, url, JSON.stringify(bad), { scheme });
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('invalid');
      expect(reply.body.error.message).toContain('mapping "mall"');
      expect(reply.body.error.message).toContain('$fen');
      expect(reply.body.error.message).toContain('"59.7元"');

      const missing = structuredClone(paid.payload) as Json;
      delete missing.msg.items[0].outer_sku_id;
      delete missing.msg.items[0].sku_id;
      const second = await push(test, url, JSON.stringify(missing), { scheme });
      expect(second.status).toBe(400);
      expect(second.body.error).toMatchObject({ code: 'invalid', path: ['events', 0, 'lines', 0, 'sku'] });
      expect(second.body.error.message).toMatch(
        /^mapping "mall", the payload: event 0 \(order\.paid\), field lines\.0\.sku: missing/,
      );

      const late = structuredClone(paid.payload) as Json;
      late.msg.pay_time = '昨天 10:05';
      const third = await push(test, url, JSON.stringify(late), { scheme });
      expect(third.status).toBe(400);
      expect(third.body.error.path).toEqual(['events', 0, 'at']);
      expect(third.body.error.message).toContain('field at');

      const rejected = await shop.admin.ok(shop.admin.get('/v1/events/rejected'));
      const fromMapping = rejected.rejected.filter((r: Json) => r.source === 'mapping:mall');
      expect(fromMapping.length).toBe(3);
      expect(fromMapping[0].message).toContain('mapping "mall"');
      expect(fromMapping.some((r: Json) => JSON.stringify(r.path) === JSON.stringify(['events', 0, 'lines', 0, 'sku']))).toBe(
        true,
      );
    });

    it('answers an event the engine refuses with its code, naming the mapping', async () => {
      const unknown = structuredClone(paid.payload) as Json;
      unknown.msg.salesman.member_id = 'L-NOBODY';
      const reply = await push(test, url, JSON.stringify(unknown), { scheme });
      expect(reply.status).toBe(422);
      expect(reply.body.error.code).toBe('unknown_member');
      expect(reply.body.error.message).toContain('mapping "mall"');
      expect(reply.body.error.path[0]).toBe('events');
    });

    it('answers 401 to a wrong, missing or stale signature, an unknown mapping or another tenant', async () => {
      const body = JSON.stringify(paid.payload);
      const wrongSecret = await push(test, url, body, { scheme, secret: 'another-secret-0123456789' });
      const missing = await push(test, url, body, { scheme, signature: null });
      const altered = await push(test, url, body.replace('"num":3', '"num":4'), {
        scheme,
        signature: signPayload(scheme, SECRET, body),
      });
      const base64 = await push(test, url, body, {
        scheme,
        signature: signPayload({ ...scheme, encoding: 'base64' }, SECRET, body),
      });
      const unknownMapping = await push(test, `/v1/ingest/${shop.tenant}/nope`, body, { scheme });
      const otherTenant = await push(test, `/v1/ingest/someone-else-${suffix}/mall`, body, { scheme });
      const bearer = await test.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${shop.adminKey}`, 'content-type': 'application/json' },
        payload: body,
      });
      for (const reply of [wrongSecret, missing, altered, base64, unknownMapping, otherTenant]) {
        expect(reply.status, reply.text).toBe(401);
        expect(reply.body.error.code).toBe('unauthorized');
      }
      expect(bearer.statusCode).toBe(401);
      const events = await shop.admin.ok(shop.admin.get('/v1/events', { type: 'order.paid' }));
      expect(events.events).toEqual([]);
    });

    it('refuses to save a mapping whose samples do not map to valid events, naming the mapping, the sample and the field', async () => {
      const expression =
        '{"type": "order.paid", "at": $replace(msg.pay_time, " ", "T") & "+08:00", "order": msg.tid, "buyer": msg.buyer.member_id, ' +
        '"referrer": msg.salesman.member_id, "region": msg.receiver.area_code, "lines": [msg.items.{"line": oid, "sku": outer_sku_id, ' +
        '"category": category, "qty": num, "paid": payment, "cost": cost_price ? $moneyMul($fen(cost_price), num)}]}';
      const reply = await shop.admin.request('PUT', '/v1/mappings/naive', {
        body: { expression, samples: [{ name: 'paid', payload: paid.payload }] },
      });
      // Fen taken for yuan (50600 instead of "506.00") still make valid amounts: the sample passes
      // unless it says what it expects.
      expect(reply.status).toBe(200);
      const checked = await shop.admin.request('PUT', '/v1/mappings/naive', {
        body: { expression, samples: [{ name: 'paid', payload: paid.payload, expect: paid.expect }] },
      });
      expect(checked.status).toBe(400);
      expect(checked.body.error.code).toBe('invalid');
      expect(checked.body.error.message).toContain(
        'mapping "naive", sample "paid": event 0, field lines.0.paid: got 50600, the sample expects "506.00"',
      );
      expect(checked.body.error.path).toEqual(['samples', 0, 'events', 0, 'lines', 0, 'paid']);

      const invalid = await shop.admin.request('PUT', '/v1/mappings/broken', {
        body: {
          expression: expression.replace('"paid": payment', '"paid": "about " & $string(payment)'),
          samples: [{ name: 'first-order', payload: paid.payload }],
        },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.message).toContain(
        'mapping "broken", sample "first-order": event 0 (order.paid), field lines.0.paid',
      );
      expect(invalid.body.error.path).toEqual(['samples', 0, 'events', 0, 'lines', 0, 'paid']);

      const syntax = await shop.admin.request('PUT', '/v1/mappings/broken', {
        body: { expression: '{"type": ', samples: [{ name: 's', payload: {} }] },
      });
      expect(syntax.status).toBe(400);
      expect(syntax.body.error.path).toEqual(['expression']);
      expect(syntax.body.error.message).toContain('mapping "broken": the expression does not compile');

      const manual = await shop.admin.request('PUT', '/v1/mappings/broken', {
        body: {
          expression:
            '{"type": "adjustment.posted", "at": "2026-03-01T00:00:00Z", "adjustment": "x", "member": "L2001", "amount": "1.00", "reason": "r"}',
          samples: [{ name: 's', payload: {} }],
        },
      });
      expect(manual.status).toBe(400);
      expect(manual.body.error.path).toEqual(['samples', 0, 'events', 0, 'type']);
      expect((await shop.admin.get('/v1/mappings/broken')).status).toBe(404);
    });

    it('tests a payload without ingesting it (read key), and removes a mapping (its endpoint then answers 401)', async () => {
      const read = test.as((await createKey(shop.admin, 'read')).key);
      const tested = await read.ok(read.post('/v1/mappings/mall/test', { payload: paid.payload }));
      expect(tested.events).toHaveLength(1);
      expect(tested.events[0]).toMatchObject(paid.expect![0] as object);
      const bad = await read.post('/v1/mappings/mall/test', { payload: { type: 'trade_TradePaid', msg: { tid: 'x' } } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('mapping "mall", the payload: event 0 (order.paid), field at: missing');
      expect((await read.request('PUT', '/v1/mappings/mall', { body: { preset: 'cn-mall' } })).status).toBe(403);

      const list = await shop.admin.ok(shop.admin.get('/v1/mappings'));
      expect(list.mappings.map((m: Json) => m.name)).toContain('mall');
      expect(list.presets).toEqual(expect.arrayContaining(['cn-mall', 'shopify']));
      expect(JSON.stringify(list)).not.toContain(SECRET);

      await shop.admin.ok(shop.admin.delete('/v1/mappings/mall'), 204);
      expect((await push(test, url, JSON.stringify(paid.payload), { scheme })).status).toBe(401);
      expect((await shop.admin.delete('/v1/mappings/mall')).status).toBe(404);
    });

    it('generates a secret when none is given, shown once; accepts a generic hex signature with a prefix and form bodies', async () => {
      const saved = await shop.admin.ok(
        shop.admin.request('PUT', '/v1/mappings/forms', {
          body: {
            expression: '{"type": "member.joined", "at": joined, "member": {"id": uid, "role": "customer", "parent": ref}}',
            samples: [{ name: 'signup', payload: { uid: 'F1', joined: '2026-03-02T00:00:00+08:00', ref: 'L2001' } }],
            signature: { header: 'X-Hub-Signature-256', prefix: 'sha256=' },
          },
        }),
      );
      expect(saved.secret).toMatch(/^fysig_/);
      expect(saved.signature).toEqual({ header: 'X-Hub-Signature-256', encoding: 'hex', prefix: 'sha256=' });
      const form = 'uid=F2&joined=2026-03-02T01%3A00%3A00%2B08%3A00&ref=L2002';
      const reply = await push(test, `/v1/ingest/${shop.tenant}/forms`, form, {
        scheme: saved.signature,
        secret: saved.secret,
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body.results).toEqual([{ status: 'accepted', seq: expect.any(Number) }]);
      const again = await shop.admin.ok(shop.admin.request('PUT', '/v1/mappings/forms', { body: { preset: 'shopify' } }));
      expect(again.created).toBe(false);
      expect(again.secret).toBeUndefined(); // the existing secret is kept
      const member = await shop.admin.ok(shop.admin.get('/v1/members/F2'));
      expect(member.parent).toBe('L2002');
    });
  });

  it('holds the scheduler off a tenant being backfilled until the hold is released', async () => {
    const handle = await tenantWithNetwork(test, `hold-${suffix}`);
    await handle.admin.ok(
      handle.admin.post('/v1/events', {
        events: [
          {
            type: 'order.paid',
            at: '2026-03-01T10:00:00+08:00',
            order: 'H1',
            buyer: 'HC1',
            referrer: 'L2001',
            lines: [{ line: 1, sku: 's', qty: 1, paid: '10.00' }],
          },
          { type: 'order.completed', at: '2026-03-02T10:00:00+08:00', order: 'H1' },
        ],
      }),
    );
    const scheduler = new Scheduler(test.service, {
      intervalMs: 60_000,
      lagMs: 0,
      now: () => Date.parse('2026-03-10T00:00:00Z'),
    });
    const hold = await handle.admin.ok(handle.admin.post('/v1/backfill/hold', { seconds: 60 }));
    expect(Date.parse(hold.holdUntil)).toBeGreaterThan(Date.now());
    expect(await scheduler.runOnce()).not.toContain(handle.tenant);
    await handle.admin.ok(handle.admin.delete('/v1/backfill/hold'), 204);
    expect(await scheduler.runOnce()).toContain(handle.tenant);
  });
});
