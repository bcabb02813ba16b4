import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill, parentsFirst } from '../../src/client/backfill.ts';
import { runDemoShop } from '../../src/demo/shop.ts';
import { createTenant, startApp, type Json, type TenantHandle, type TestApp } from '../support/app.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const plan = {
  freezeDays: 7,
  templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } }],
};

/** A small history: a network listed children first, then orders paid, completed and refunded. */
function history(): { members: Json[]; events: Json[] } {
  const members: Json[] = [];
  for (let i = 29; i >= 0; i--)
    members.push({ id: `L${i}`, role: 'leader', ...(i > 0 ? { parent: `L${Math.floor((i - 1) / 2)}` } : {}) });
  for (let i = 0; i < 40; i++) members.push({ id: `C${i}`, role: 'customer', parent: `L${i % 30}` });
  const events: Json[] = [];
  let at = Date.parse('2025-06-01T00:00:00+08:00');
  const next = () => new Date((at += 3_600_000)).toISOString();
  for (let n = 0; n < 150; n++) {
    events.push({
      type: 'order.paid',
      at: next(),
      order: `H${n}`,
      buyer: `C${n % 40}`,
      lines: [{ line: 1, sku: 'tea', qty: 2, paid: `${10 + (n % 7)}.50` }],
    });
    if (n % 3 === 0) events.push({ type: 'order.completed', at: next(), order: `H${n}` });
    if (n % 10 === 5)
      events.push({
        type: 'order.refunded',
        at: next(),
        order: `H${n}`,
        refund: `R${n}`,
        lines: [{ line: 1, qty: 1, amount: '5.00' }],
      });
  }
  events.push({ type: 'member.moved', at: next(), member: 'L29', parent: 'L1' });
  return { members, events };
}

describe('backfill and the demo shop against a running fenyong (PostgreSQL)', () => {
  let test: TestApp;
  let url: string;
  let dir: string;
  const suffix = randomBytes(3).toString('hex');

  beforeAll(async () => {
    test = await startApp('postgres');
    url = await test.app.listen({ port: 0, host: '127.0.0.1' });
    dir = mkdtempSync(join(tmpdir(), 'fy-backfill-'));
  });
  afterAll(async () => {
    await test?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('orders a network parents first', () => {
    const ordered = parentsFirst(history().members).map((m) => m.id);
    for (const [index, id] of ordered.entries()) {
      const parent = history().members.find((m) => m.id === id)!.parent;
      if (parent) expect(ordered.indexOf(parent), `${parent} before ${id}`).toBeLessThan(index);
    }
  });

  it('imports the network in chunks and the events in batches, with progress; the same awards as sending them directly; a repeated run changes nothing', async () => {
    const { members, events } = history();
    writeFileSync(join(dir, 'network.jsonl'), members.map((m) => JSON.stringify(m)).join('\n') + '\n');
    writeFileSync(join(dir, 'orders.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const shop = await createTenant(test, { id: `backfill-${suffix}`, plan });
    const direct = await createTenant(test, { id: `direct-${suffix}`, plan });
    const lines: string[] = [];
    const report = await backfill({
      url,
      key: shop.adminKey,
      network: join(dir, 'network.jsonl'),
      orders: join(dir, 'orders.jsonl'),
      chunk: 25,
      batch: 64,
      progressEveryMs: 0,
      log: (line) => lines.push(line),
    });
    expect(report).toMatchObject({
      members: 70,
      skippedMembers: 0,
      events: events.length,
      accepted: events.length,
      duplicate: 0,
      rejected: 0,
    });
    expect(lines.some((line) => /^network 25\/70 members \(35\.7%\)/.test(line))).toBe(true);
    expect(lines.some((line) => line.startsWith(`events ${events.length}/${events.length} (100.0%)`))).toBe(true);
    expect(lines.filter((line) => line.startsWith('events ')).length).toBeGreaterThanOrEqual(Math.ceil(events.length / 64));
    // The hold is released at the end.
    const hold = await test.sql.query<{ h: unknown }>('select scheduler_hold_until as h from tenants where id = $1', [
      shop.tenant,
    ]);
    expect(hold.rows[0]!.h).toBeNull();

    await direct.admin.ok(direct.admin.post('/v1/network/import', { members }));
    for (let i = 0; i < events.length; i += 1000)
      await direct.admin.ok(direct.admin.post('/v1/events', { events: events.slice(i, i + 1000) }));
    const awards = async (handle: TenantHandle) =>
      (await handle.admin.ok(handle.admin.get('/v1/awards', { includeZero: true, limit: 5000 }))).awards;
    expect((await awards(shop)).length).toBeGreaterThan(100);
    expect(await awards(shop)).toEqual(await awards(direct));

    const again = await backfill({
      url,
      key: shop.adminKey,
      network: join(dir, 'network.jsonl'),
      orders: join(dir, 'orders.jsonl'),
      chunk: 25,
      log: () => undefined,
    });
    expect(again).toMatchObject({ members: 0, skippedMembers: 70, accepted: 0, duplicate: events.length, rejected: 0 });
    expect(await awards(shop)).toEqual(await awards(direct));
  });

  it('`fenyong backfill` prints progress and exits 1 listing the lines of rejected events', async () => {
    const shop = await createTenant(test, { id: `backfill-cli-${suffix}`, plan });
    const { members, events } = history();
    const bad = [
      ...events.slice(0, 20),
      {
        type: 'order.refunded',
        at: '2025-07-01T00:00:00Z',
        order: 'NOPE',
        refund: 'RX',
        lines: [{ line: 1, qty: 1, amount: '1.00' }],
      },
    ];
    writeFileSync(join(dir, 'n.jsonl'), members.map((m) => JSON.stringify(m)).join('\n'));
    writeFileSync(join(dir, 'o.jsonl'), bad.map((e) => JSON.stringify(e)).join('\n'));
    const result = await run(
      'node',
      [
        join(root, 'bin/fenyong.js'),
        'backfill',
        '--url',
        url,
        '--key',
        shop.adminKey,
        '--network',
        join(dir, 'n.jsonl'),
        '--orders',
        join(dir, 'o.jsonl'),
      ],
      { cwd: root },
    ).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.code, result.stderr).toBe(1);
    // Progress on stderr, the result on stdout.
    expect(result.stderr).toContain('network 70/70 members (100.0%)');
    expect(result.stderr).toContain('events 21/21 (100.0%)');
    expect(result.stdout).toContain('line 21: rejected unknown_order');
    expect(result.stdout).toContain('done: 70 members imported');
    const missing = await run(
      'node',
      [join(root, 'bin/fenyong.js'), 'backfill', '--url', url, '--key', 'fyk_nope.nope', '--orders', join(dir, 'o.jsonl')],
      { cwd: root },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((missing as { code: number }).code).toBe(2);
    expect((missing as { stderr: string }).stderr).toContain('unauthorized');
    // A file it cannot read is told before the server is asked anything (this key would be refused).
    const unreadable = await run(
      'node',
      [join(root, 'bin/fenyong.js'), 'backfill', '--url', url, '--key', 'fyk_nope.nope', '--orders', join(dir, 'none.jsonl')],
      { cwd: root },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((unreadable as { code: number }).code).toBe(2);
    expect((unreadable as { stderr: string }).stderr).toMatch(/cannot read .*none\.jsonl/);
    expect((unreadable as { stderr: string }).stderr).not.toContain('unauthorized');
  });

  it('polls awards with a cursor: every award once, then only what changed since', async () => {
    const shop = await createTenant(test, { id: `poll-${suffix}`, plan });
    const { members, events } = history();
    await shop.admin.ok(shop.admin.post('/v1/network/import', { members }));
    await shop.admin.ok(shop.admin.post('/v1/events', { events: events.slice(0, 100) }));
    const all = (await shop.admin.ok(shop.admin.get('/v1/awards', { includeZero: true, limit: 5000 }))).awards;
    const seen: Json[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const reply = await shop.admin.ok(
        shop.admin.get('/v1/awards', { includeZero: true, limit: 7, ...(cursor ? { after: cursor } : {}) }),
      );
      if (reply.awards.length === 0) {
        expect(reply.cursor).toBe(cursor);
        break;
      }
      seen.push(...reply.awards);
      cursor = reply.cursor;
    }
    expect(seen).toEqual(all);
    const refund = {
      type: 'order.refunded',
      at: '2025-07-01T00:00:00Z',
      order: 'H5',
      refund: 'R5-again',
      lines: [{ line: 1, qty: 0, amount: '1.00' }],
    };
    expect((await shop.admin.ok(shop.admin.post('/v1/events', refund))).results[0].status).toBe('accepted');
    const changed = await shop.admin.ok(shop.admin.get('/v1/awards', { includeZero: true, after: cursor! }));
    // The refund's awards, and those its instant settled (time passed to it).
    expect(changed.awards.some((a: Json) => a.order === 'H5')).toBe(true);
    expect(changed.awards.filter((a: Json) => a.order !== 'H5').every((a: Json) => a.status === 'settled')).toBe(true);
    expect(changed.awards.length).toBeLessThan(all.length);
    expect((await shop.admin.get('/v1/awards', { after: 'not-a-cursor' })).status).toBe(400);
  });

  it('the demo shop signs up customers, places, completes and refunds orders, and awards appear', async () => {
    const shop = await createTenant(test, { id: `demo-shop-${suffix}`, plan });
    await shop.admin.ok(
      shop.admin.post('/v1/network/import', {
        members: [
          { id: 'L1', role: 'leader' },
          { id: 'L2', role: 'leader', parent: 'L1' },
        ],
      }),
    );
    for (const viaMapping of [false, true]) {
      const lines: string[] = [];
      const report = await runDemoShop({
        url,
        key: shop.adminKey,
        orders: 6,
        intervalMs: 0,
        seed: 7,
        viaMapping,
        log: (line) => lines.push(line),
      });
      expect(report.orders).toHaveLength(6);
      expect(report.refunds).toBeGreaterThan(0);
      expect(report.completed).toBeGreaterThan(0);
      expect(lines.filter((line) => line.includes('✗'))).toEqual([]);
      const awards = await shop.admin.ok(shop.admin.get('/v1/awards', { order: report.orders[0]! }));
      expect(awards.awards.length).toBeGreaterThan(0);
      const events = await shop.admin.ok(shop.admin.get('/v1/events', { order: report.orders[0]! }));
      expect(events.events.map((e: Json) => e.type)).toEqual(expect.arrayContaining(['order.paid', 'order.completed']));
      if (viaMapping) expect(events.events[0].source).toBe('mapping:demo-shop-mall');
    }
  });
});
