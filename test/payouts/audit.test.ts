import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantHandle } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { audit, createKey, payoutTenant, startPayoutApp, PAYOUT_PLAN, type PayoutWorld } from './support.ts';

/** Every manual action leaves an audit entry (who, what, on what, why); the log is append-only. */
describe.each<Backend>(['pglite', 'postgres'])('audit log on %s', (backend) => {
  let world: PayoutWorld;
  let t: TenantHandle;
  let adminId: string;

  beforeAll(async () => {
    world = await startPayoutApp(backend);
    t = await payoutTenant(world, `audit-${backend}`, 2);
    adminId = t.adminKey.slice(4, 16);
  });

  afterAll(async () => {
    await world?.test.close();
  });

  it('records levels set by hand, plan publishing, keys, webhooks and payee changes, and none of their secrets', async () => {
    const admin = t.admin;
    await admin.ok(admin.post('/v1/members/L1/level', { level: 2, at: world.clock.next() }));
    // The same level again changes nothing, so it is not an act to audit.
    await admin.ok(admin.post('/v1/members/L1/level', { level: 2, at: world.clock.next() }));
    await admin.ok(admin.post('/v1/events', { type: 'member.level_set', at: world.clock.next(), member: 'L2', level: 3 }));
    const published = await admin.ok(admin.post('/v1/plans', { plan: PAYOUT_PLAN, effectiveFrom: world.clock.next(60) }), 201);
    const key = await createKey(admin, 'read', 'for the dashboard');
    await admin.ok(admin.delete(`/v1/keys/${key.id}`), 204);
    const hook = await admin.ok(admin.post('/v1/webhooks', { url: 'https://user:pw@hooks.example/fy?token=abc' }), 201);
    await admin.ok(admin.delete(`/v1/webhooks/${hook.id}`), 204);
    await admin.ok(admin.request('PUT', '/v1/members/L1/payee', { body: { realName: '张三', account: '6222021234561234' } }));

    const entries = (await audit(admin)).reverse();
    expect(entries.map((e) => [e.action, e.target, e.actor])).toEqual([
      ['member.level_set', 'L1', adminId],
      ['member.level_set', 'L2', adminId],
      ['plan.published', `v${published.version}`, adminId],
      ['key.created', key.id, adminId],
      ['key.revoked', key.id, adminId],
      ['webhook.created', hook.id, adminId],
      ['webhook.removed', hook.id, adminId],
      ['payee.set', 'L1', adminId],
    ]);
    expect(entries[0].details).toMatchObject({ level: 2 });
    expect(entries[3].details).toEqual({ scope: 'read', label: 'for the dashboard' });
    expect(entries[5].details.url).toBe('https://hooks.example/fy');
    expect(entries[7].details).toMatchObject({ account: '6222********1234', accountChanged: true });
    const text = JSON.stringify(entries);
    for (const secret of [key.key, key.key.split('.')[1]!, hook.secret, 'pw@', 'token=abc', '6222021234561234'])
      expect(text).not.toContain(secret);
  });

  it('is queryable by action (or action prefix), target and actor, newest first, and paged', async () => {
    const admin = t.admin;
    expect((await audit(admin, { action: 'key.created' })).map((e) => e.action)).toEqual(['key.created']);
    expect((await audit(admin, { action: 'key.*' })).map((e) => e.action)).toEqual(['key.revoked', 'key.created']);
    expect((await audit(admin, { target: 'L1' })).map((e) => e.action)).toEqual(['payee.set', 'member.level_set']);
    const other = await createKey(admin, 'admin', 'second admin');
    const second = world.test.as(other.key);
    await second.ok(second.post('/v1/members/L2/level', { level: 1, at: world.clock.next() }));
    const byOther = await audit(admin, { actor: other.id });
    expect(byOther.map((e) => [e.action, e.target])).toEqual([['member.level_set', 'L2']]);
    const all = await audit(admin);
    const page = await audit(admin, { before: all[1].id, limit: 2 });
    expect(page.map((e) => e.id)).toEqual([all[2].id, all[3].id]);
    // Page by page with `next`: every entry once, newest first, and a null `next` on the last page.
    const paged: number[] = [];
    let next: number | null = null;
    for (let pages = 0; pages < all.length; pages++) {
      const reply: { entries: { id: number }[]; next: number | null } = await admin.ok(
        admin.get('/v1/audit', { limit: 3, ...(next === null ? {} : { before: next }) }),
      );
      paged.push(...reply.entries.map((e) => e.id));
      next = reply.next;
      if (next === null) break;
    }
    expect(next).toBeNull();
    expect(paged).toEqual(all.map((e) => e.id));
    const read = world.test.as((await createKey(admin, 'read')).key);
    expect((await read.get('/v1/audit')).status).toBe(403);
  });

  it('refuses to change or remove audit entries, in the database itself', async () => {
    await expect(world.test.sql.query("update audit_log set reason = 'edited' where tenant_id = $1", [t.tenant])).rejects.toThrow(
      /append-only/,
    );
    await expect(world.test.sql.query('delete from audit_log where tenant_id = $1', [t.tenant])).rejects.toThrow(/append-only/);
    expect((await audit(t.admin)).length).toBeGreaterThan(5);
  });
});
