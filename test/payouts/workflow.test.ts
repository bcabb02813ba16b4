import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantHandle } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { audit, balance, createKey, payoutTenant, startPayoutApp, withdraw, withdrawal, type PayoutWorld } from './support.ts';

/** The payout workflow over HTTP: approve, reject, paid, failed, adjustments, and who may do them. */
describe.each<Backend>(['pglite', 'postgres'])('payout workflow on %s', (backend) => {
  let world: PayoutWorld;
  let t: TenantHandle;
  let adminId: string;

  beforeAll(async () => {
    world = await startPayoutApp(backend);
    t = await payoutTenant(world, `wf-${backend}`, 3);
    adminId = t.adminKey.slice(4, 16);
  });

  afterAll(async () => {
    await world?.test.close();
  });

  it('answers a retried decision with its own id duplicate, though the server stamped each attempt anew', async () => {
    const retrying = await payoutTenant(world, `wf-retry-${backend}`, 1);
    const admin = retrying.admin;
    expect(await withdraw(world, admin, 'WR', 'L1', '3000.00')).toMatchObject({ status: 'accepted' });
    world.clock.next();
    const first = await admin.ok(admin.post('/v1/withdrawals/WR/approve', { id: 'decision-1', note: 'checked' }));
    expect(first.status).toBe('accepted');
    // The answer was lost; the client sends the very same request again, a moment later.
    world.clock.next();
    const retry = await admin.post('/v1/withdrawals/WR/approve', { id: 'decision-1', note: 'checked' });
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('duplicate');
    // The same id for another decision is still a conflict.
    world.clock.next();
    const other = await admin.post('/v1/withdrawals/WR/paid', { id: 'decision-1' });
    expect(other.body.error?.code).toBe('conflict');
  });

  it('takes a withdrawal through every transition, with duplicates harmless and wrong ones refused', async () => {
    const admin = t.admin;
    // Above reviewAbove (1000.00): waits for review. Tax (3000 - 800) × 20% = 440.00.
    expect(await withdraw(world, admin, 'W1', 'L1', '3000.00')).toMatchObject({ status: 'accepted' });
    expect(await withdrawal(admin, 'W1')).toMatchObject({
      status: 'requested',
      amount: '3000.00',
      tax: '440.00',
      net: '2560.00',
    });

    world.clock.next();
    const approved = await admin.ok(admin.post('/v1/withdrawals/W1/approve', { note: 'checked ID' }));
    expect(approved.status).toBe('accepted');
    expect(approved.withdrawal).toMatchObject({ withdrawal: 'W1', status: 'approved' });
    expect(approved.withdrawal.history.map((h: { status: string }) => h.status)).toEqual(['requested', 'approved']);
    world.clock.next();
    expect((await admin.ok(admin.post('/v1/withdrawals/W1/approve', {}))).status).toBe('duplicate');

    world.clock.next();
    const paid = await admin.ok(admin.post('/v1/withdrawals/W1/paid', { reference: 'BANK-REF-1' }));
    expect(paid.withdrawal.status).toBe('paid');
    expect(paid.withdrawal.history.at(-1)).toMatchObject({ status: 'paid', note: 'BANK-REF-1' });
    world.clock.next();
    expect((await admin.ok(admin.post('/v1/withdrawals/W1/paid', {}))).status).toBe('duplicate');
    // A paid withdrawal can no longer fail or be rejected.
    world.clock.next();
    const late = await admin.post('/v1/withdrawals/W1/failed', { reason: 'bounced' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('conflict');

    // Month gross 5000 → tax 800, withheld 800 - 440 = 360.
    await withdraw(world, admin, 'W2', 'L1', '2000.00');
    expect(await withdrawal(admin, 'W2')).toMatchObject({ status: 'requested', tax: '360.00' });
    world.clock.next();
    const noReason = await admin.post('/v1/withdrawals/W2/reject', {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('invalid');
    const blank = await admin.post('/v1/withdrawals/W2/reject', { reason: '   ' });
    expect(blank.status).toBe(400);
    const rejected = await admin.ok(admin.post('/v1/withdrawals/W2/reject', { reason: 'ID card name does not match' }));
    expect(rejected.withdrawal).toMatchObject({ status: 'rejected' });
    // 40000 - 3000 (W1, paid) - 2000 + 2000 back
    expect(await balance(admin, 'L1')).toEqual({ pending: '0.00', available: '37000.00' });
    world.clock.next();
    const payRejected = await admin.post('/v1/withdrawals/W2/paid', {});
    expect(payRejected.status).toBe(409);
    expect(payRejected.body.error.code).toBe('conflict');

    // Not above the threshold: approved at once; month gross 3500 → 540, withheld 540 - 440 = 100.
    await withdraw(world, admin, 'W3', 'L1', '500.00');
    expect(await withdrawal(admin, 'W3')).toMatchObject({ status: 'approved', tax: '100.00', net: '400.00' });
    world.clock.next();
    const failed = await admin.ok(admin.post('/v1/withdrawals/W3/failed', { reason: 'account closed' }));
    expect(failed.withdrawal).toMatchObject({ status: 'failed' });
    expect(failed.withdrawal.history.at(-1)).toMatchObject({ status: 'failed', note: 'account closed' });
    expect(await balance(admin, 'L1')).toEqual({ pending: '0.00', available: '37000.00' });

    world.clock.next();
    const unknown = await admin.post('/v1/withdrawals/W-nope/approve', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');

    expect((await admin.ok(admin.get('/v1/verify'))).ok).toBe(true);

    // One audit entry per transition that happened (duplicates and refusals leave none), by the key.
    const entries = await audit(admin, { action: 'withdrawal.*' });
    const summary = entries.map((e) => [e.action, e.target, e.reason, e.actor]).reverse();
    expect(summary).toEqual([
      ['withdrawal.approved', 'W1', 'checked ID', adminId],
      ['withdrawal.paid', 'W1', 'BANK-REF-1', adminId],
      ['withdrawal.rejected', 'W2', 'ID card name does not match', adminId],
      ['withdrawal.failed', 'W3', 'account closed', adminId],
    ]);
    // The engine events carry the key id as `by`.
    const events = await admin.ok(admin.get('/v1/events', { type: 'withdrawal.rejected' }));
    expect(events.events[0].payload).toMatchObject({ withdrawal: 'W2', by: adminId, note: 'ID card name does not match' });
  });

  it('lets only admin keys approve, reject, record payouts and post adjustments, also through /v1/events', async () => {
    await withdraw(world, t.admin, 'W-scope', 'L2', '1500.00');
    const read = world.test.as((await createKey(t.admin, 'read')).key);
    const ingest = world.test.as((await createKey(t.admin, 'ingest')).key);
    for (const client of [read, ingest]) {
      for (const [path, body] of [
        ['/v1/withdrawals/W-scope/approve', {}],
        ['/v1/withdrawals/W-scope/reject', { reason: 'no' }],
        ['/v1/withdrawals/W-scope/paid', {}],
        ['/v1/withdrawals/W-scope/failed', { reason: 'no' }],
        ['/v1/adjustments', { adjustment: 'A-scope', member: 'L2', amount: '5.00', reason: 'no' }],
      ] as const) {
        const reply = await client.post(path, body);
        expect(reply.status, `${path} with ${client === read ? 'read' : 'ingest'}`).toBe(403);
        expect(reply.body.error.code).toBe('forbidden');
      }
    }
    const viaEvents = await ingest.post('/v1/events', {
      type: 'withdrawal.approved',
      at: world.clock.next(),
      withdrawal: 'W-scope',
    });
    expect(viaEvents.status).toBe(403);
    expect(await withdrawal(t.admin, 'W-scope')).toMatchObject({ status: 'requested' });
    // Through /v1/events with an admin key, it is applied and audited like its endpoint.
    const sent = await t.admin.ok(
      t.admin.post('/v1/events', {
        type: 'withdrawal.approved',
        at: world.clock.next(),
        withdrawal: 'W-scope',
        note: 'batch review',
        id: 'ev-approve-1',
      }),
    );
    expect(sent.results[0].status).toBe('accepted');
    const [entry] = await audit(t.admin, { action: 'withdrawal.approved', target: 'W-scope' });
    expect(entry).toMatchObject({ actor: adminId, reason: 'batch review', details: { eventId: 'ev-approve-1' } });
  });

  it('reverses a withdrawal that fails after a month boundary in its own month: the new month’s tax is unaffected', async () => {
    const admin = t.admin;
    world.clock.set('2026-08-20T10:00:00+08:00');
    await withdraw(world, admin, 'WA1', 'L3', '3000.00'); // August: 440.00
    await withdraw(world, admin, 'WA2', 'L3', '2000.00'); // August: 800 - 440 = 360.00
    for (const id of ['WA1', 'WA2']) {
      world.clock.next();
      await admin.ok(admin.post(`/v1/withdrawals/${id}/approve`, {}));
    }
    world.clock.set('2026-09-02T09:00:00+08:00');
    await withdraw(world, admin, 'WS1', 'L3', '3000.00'); // September's first: 440.00
    expect(await withdrawal(admin, 'WS1')).toMatchObject({ month: '2026-09', tax: '440.00' });
    world.clock.next();
    await admin.ok(admin.post('/v1/withdrawals/WS1/approve', {}));

    world.clock.set('2026-09-03T10:00:00+08:00');
    const failed = await admin.ok(admin.post('/v1/withdrawals/WA1/failed', { reason: 'card expired' }));
    expect(failed.withdrawal).toMatchObject({ status: 'failed', month: '2026-08', tax: '440.00' });
    // August keeps 2000.00 gross whose tax is 240.00 while 360.00 was withheld: 120.00 back.
    const postings = await world.test.sql.query<{ kind: string; account: string; amount: string }>(
      `select kind, account, amount::text as amount from postings where tenant_id = $1 and withdrawal_id = 'WA1' and kind <> 'withdrawal' order by journal, line`,
      [t.tenant],
    );
    expect(postings.rows).toEqual([
      { kind: 'withdrawal_reversal', account: 'available', amount: '300000' },
      { kind: 'withdrawal_reversal', account: 'tax_payable', amount: '-44000' },
      { kind: 'withdrawal_reversal', account: 'payout', amount: '-256000' },
      { kind: 'tax_true_up', account: 'tax_payable', amount: '-12000' },
      { kind: 'tax_true_up', account: 'available', amount: '12000' },
    ]);
    // September: 3000 + 1000 = 4000 gross → 640.00, of which 440.00 withheld: 200.00, as if nothing had failed.
    await withdraw(world, admin, 'WS2', 'L3', '1000.00');
    expect(await withdrawal(admin, 'WS2')).toMatchObject({ month: '2026-09', tax: '200.00', net: '800.00' });
    expect(await withdrawal(admin, 'WS1')).toMatchObject({ tax: '440.00', status: 'approved' });
    // 40000 - 3000 - 2000 - 3000 + 3000 + 120 - 1000
    expect(await balance(admin, 'L3')).toEqual({ pending: '0.00', available: '34120.00' });
    expect((await admin.ok(admin.get('/v1/verify'))).ok).toBe(true);
  });

  it('posts manual adjustments with a mandatory reason, by the key, listed and audited', async () => {
    const admin = t.admin;
    world.clock.next();
    const before = await balance(admin, 'L2');
    const posted = await admin.ok(
      admin.post('/v1/adjustments', { adjustment: 'A1', member: 'L2', amount: '-100.00', reason: 'claw back a fake order' }),
    );
    expect(posted.status).toBe('accepted');
    expect(Number((await balance(admin, 'L2')).available)).toBeCloseTo(Number(before.available) - 100, 2);
    world.clock.next();
    // The same adjustment again (a retry) is a duplicate; the same id with other content a conflict.
    expect(
      (
        await admin.ok(
          admin.post('/v1/adjustments', { adjustment: 'A1', member: 'L2', amount: '-100.00', reason: 'claw back a fake order' }),
        )
      ).status,
    ).toBe('duplicate');
    const conflict = await admin.post('/v1/adjustments', {
      adjustment: 'A1',
      member: 'L2',
      amount: '-90.00',
      reason: 'claw back a fake order',
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('conflict');
    for (const reason of [undefined, '', '   ']) {
      const refused = await admin.post('/v1/adjustments', {
        adjustment: 'A2',
        member: 'L2',
        amount: '50.00',
        ...(reason === undefined ? {} : { reason }),
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('invalid');
    }
    const unknown = await admin.post('/v1/adjustments', { adjustment: 'A3', member: 'nobody', amount: '50.00', reason: 'bonus' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('unknown_member');
    // Answered to the person who posted it, not kept among the shop's refused events; the same
    // adjustment sent through /v1/events (an integration) is.
    const refusedEvents = async () =>
      (await admin.ok(admin.get('/v1/events/rejected', { limit: 1000 }))).rejected.filter(
        (r: { type: string | null }) => r.type === 'adjustment.posted',
      ).length;
    expect(await refusedEvents()).toBe(0);
    const viaEvents = await admin.ok(
      admin.post('/v1/events', {
        events: [
          {
            type: 'adjustment.posted',
            at: world.clock.next(),
            adjustment: 'A3',
            member: 'nobody',
            amount: '50.00',
            reason: 'bonus',
          },
        ],
      }),
    );
    expect(viaEvents.results[0]).toMatchObject({ status: 'rejected', error: { code: 'unknown_member' } });
    expect(await refusedEvents()).toBe(1);
    world.clock.next();
    await admin.ok(admin.post('/v1/adjustments', { adjustment: 'A4', member: 'L1', amount: '88.00', reason: 'campaign bonus' }));

    const listed = await admin.ok(admin.get('/v1/adjustments'));
    expect(listed.adjustments.map((a: { adjustment: string }) => a.adjustment)).toEqual(['A4', 'A1']);
    expect(listed.adjustments[1]).toMatchObject({
      member: 'L2',
      amount: '-100.00',
      reason: 'claw back a fake order',
      by: adminId,
    });
    expect((await admin.ok(admin.get('/v1/adjustments', { member: 'L1' }))).adjustments).toHaveLength(1);
    const entries = await audit(admin, { action: 'adjustment.posted' });
    expect(entries.map((e) => [e.target, e.reason, e.actor, e.details.amount])).toEqual([
      ['A4', 'campaign bonus', adminId, '88.00'],
      ['A1', 'claw back a fake order', adminId, '-100.00'],
    ]);
    expect((await admin.ok(admin.get('/v1/verify'))).ok).toBe(true);
  });
});
