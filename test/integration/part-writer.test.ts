import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { createTenant, startApp, type Json, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';

/**
 * A batch written in parts (src/service/part-writer.ts) while the engine applies the rest: when
 * the apply itself throws after a part was handed over, that part's statements must not outlive
 * the transaction (after its rollback they would run in autocommit on the released connection,
 * or inside the next transaction that takes it).
 */

const plan = {
  freezeDays: 7,
  templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } }],
};
const members = [
  { id: 'L1', role: 'leader' },
  { id: 'L2', role: 'leader', parent: 'L1' },
  ...Array.from({ length: 20 }, (_, i) => ({ id: `C${i}`, role: 'customer', parent: 'L2' })),
];
const at = (minute: number) => new Date(Date.parse('2026-03-01T00:00:00Z') + minute * 60_000).toISOString();
const paid = (order: string, minute: number): Json => ({
  type: 'order.paid',
  at: at(minute),
  order,
  buyer: `C${minute % 20}`,
  lines: [{ line: 1, sku: 'tea', qty: 1, paid: '100.00' }],
});

describe.each<Backend>(['pglite', 'postgres'])('a batch written in parts on %s', (backend) => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startApp(backend);
  });
  afterAll(async () => {
    await test?.close();
  });

  const count = async (table: string, tenant: string) =>
    Number(
      (await test.sql.query<{ n: string }>(`select count(*)::text as n from ${table} where tenant_id = $1`, [tenant])).rows[0]!.n,
    );

  it('leaves nothing behind when the engine throws after a part was handed over', async () => {
    const { tenant, admin } = await createTenant(test, { id: `parts-throw-${backend}`, plan });
    await admin.ok(admin.post('/v1/network/import', { members }));
    const events = Array.from({ length: 600 }, (_, n) => paid(n === 300 ? 'KABOOM' : `P${n}`, n));
    const apply = Engine.prototype.apply;
    const spy = vi.spyOn(Engine.prototype, 'apply').mockImplementation(function (this: Engine, raw: unknown) {
      if ((raw as { order?: unknown })?.order === 'KABOOM') throw new Error('an engine bug, for the test');
      return apply.call(this, raw);
    });
    try {
      const reply = await admin.post('/v1/events', { events });
      expect(reply.status).toBeGreaterThanOrEqual(500);
    } finally {
      spy.mockRestore();
    }
    // (Statements still queued would run now: give them the time.)
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await count('events', tenant)).toBe(1); // (the network import)
    expect(await count('postings', tenant)).toBe(0);
    expect(await count('balances', tenant)).toBe(0);
    expect(await count('awards', tenant)).toBe(0);
    // The engine was dropped with the transaction: the same events, without the bug, go in whole.
    const retried = await admin.ok<{ results: Json[] }>(admin.post('/v1/events', { events }));
    expect(retried.results.every((r: Json) => r.status === 'accepted')).toBe(true);
    const report = await admin.ok<{ checks: { ok: boolean }[] }>(admin.get('/v1/verify'));
    expect(report.checks.filter((check) => !check.ok)).toEqual([]);
  });
});
