import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantHandle } from '../support/app.ts';
import { createKey, payoutTenant, startPayoutApp, withdraw, type PayoutWorld } from './support.ts';

/**
 * GET /v1/payouts/preview: before a batch is made, what it would take and which approved
 * withdrawals it would skip (members without payee details), so an operator can set them first.
 */
describe.each(['pglite', 'postgres'] as const)('payout batch preview on %s', (backend) => {
  let world: PayoutWorld;
  let t: TenantHandle;

  beforeAll(async () => {
    world = await startPayoutApp(backend);
    t = await payoutTenant(world, `pv-${backend}`, 4);
  });

  afterAll(async () => {
    await world?.test.close();
  });

  const payee = (member: string, realName: string, account: string) =>
    t.admin.ok(t.admin.request('PUT', `/v1/members/${member}/payee`, { body: { realName, account } }));

  it("answers a member's missing payee details as 404, or as null when asked (ifNone=null)", async () => {
    const missing = await t.admin.get('/v1/members/L4/payee');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'not_found' } });
    const none = await t.admin.get('/v1/members/L4/payee', { ifNone: 'null' });
    expect(none.status).toBe(200);
    expect(none.body).toBeNull();
    expect((await t.admin.get('/v1/members/L4/payee', { ifNone: 'empty' })).status).toBe(400);
  });

  it('says nothing is skipped when there is nothing to pay', async () => {
    expect(await t.admin.ok(t.admin.get('/v1/payouts/preview'))).toEqual({
      currency: 'CNY',
      lines: 0,
      gross: '0.00',
      tax: '0.00',
      net: '0.00',
      skipped: { count: 0, gross: '0.00', net: '0.00', withdrawals: [] },
    });
  });

  it('lists, before the batch is made, the approved withdrawals a batch would skip for lack of payee details', async () => {
    await payee('L1', '张三', '6222 0212 3456 1234');
    await payee('L2', '李四', '6217 0000 1111 2222');
    await withdraw(world, t.admin, 'W1', 'L1', '800.00'); // tax 0.00
    await withdraw(world, t.admin, 'W2', 'L2', '900.00'); // tax 20.00
    await withdraw(world, t.admin, 'W3', 'L3', '500.00'); // L3: no payee details
    await withdraw(world, t.admin, 'W4', 'L4', '600.00'); // L4: no payee details
    await withdraw(world, t.admin, 'W5', 'L1', '2000.00'); // waits for review: not approved, not counted

    const preview = await t.admin.ok(t.admin.get('/v1/payouts/preview'));
    expect(preview).toEqual({
      currency: 'CNY',
      lines: 2,
      gross: '1700.00',
      tax: '20.00',
      net: '1680.00',
      skipped: {
        count: 2,
        gross: '1100.00',
        net: '1100.00',
        withdrawals: [
          { withdrawal: 'W3', member: 'L3', gross: '500.00', net: '500.00', reason: expect.stringContaining('payee') },
          { withdrawal: 'W4', member: 'L4', gross: '600.00', net: '600.00', reason: expect.stringContaining('payee') },
        ],
      },
    });
    // `limit` shortens the list, never the count; a read key may look.
    const read = world.test.as((await createKey(t.admin, 'read')).key);
    const short = await read.ok(read.get('/v1/payouts/preview', { limit: 1 }));
    expect(short.skipped.count).toBe(2);
    expect(short.skipped.withdrawals.map((w: { withdrawal: string }) => w.withdrawal)).toEqual(['W3']);

    // With a batch's own filter, the preview of that batch: only some members (the parameter
    // repeated), or at most `max` lines.
    const some = await t.admin.ok(t.admin.get('/v1/payouts/preview?members=L2&members=L3'));
    expect(some).toMatchObject({ lines: 1, gross: '900.00', tax: '20.00', net: '880.00', skipped: { count: 1, net: '500.00' } });
    expect(await t.admin.ok(t.admin.get('/v1/payouts/preview', { members: 'L4' }))).toMatchObject({
      lines: 0,
      skipped: { count: 1, withdrawals: [{ withdrawal: 'W4' }] },
    });
    expect(await t.admin.ok(t.admin.get('/v1/payouts/preview', { max: 1 }))).toMatchObject({ lines: 1, gross: '800.00' });
    expect((await t.admin.get('/v1/payouts/preview', { max: 0 })).status).toBe(400);

    // The batch then made takes exactly what the preview said, and skips exactly those.
    const created = await t.admin.ok(t.admin.post('/v1/payouts/batches', {}), 201);
    expect(created.batch).toMatchObject({ lines: preview.lines, gross: preview.gross, tax: preview.tax, net: preview.net });
    expect(created.skipped.map((s: { withdrawal: string }) => s.withdrawal)).toEqual(['W3', 'W4']);
  });

  it('keeps the skipped withdrawals approved and off any batch: with payee details set, the next batch takes them', async () => {
    const after = await t.admin.ok(t.admin.get('/v1/payouts/preview'));
    expect(after).toMatchObject({ lines: 0, net: '0.00', skipped: { count: 2, net: '1100.00' } });
    await payee('L3', '王五', 'Wang.Wu@Example.com');
    const fixed = await t.admin.ok(t.admin.get('/v1/payouts/preview'));
    expect(fixed).toMatchObject({
      lines: 1,
      gross: '500.00',
      net: '500.00',
      skipped: { count: 1, gross: '600.00', net: '600.00', withdrawals: [{ withdrawal: 'W4', member: 'L4' }] },
    });
    const next = await t.admin.ok(t.admin.post('/v1/payouts/batches', {}), 201);
    expect(next.batch).toMatchObject({ lines: 1, net: '500.00' });
    expect(next.skipped.map((s: { withdrawal: string }) => s.withdrawal)).toEqual(['W4']);
  });
});
