import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetCachedMemberTokens } from '../../src/service/member-tokens.ts';
import { createKey, createTenant, startApp, type ApiClient, type Json, type Reply, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { sendEvents } from '../support/scenario.ts';

/**
 * Member tokens (issue 6): an admin issues a leader a token; with it the leader reads their own
 * data and their downline, read only. The matrix below walks every operation of /openapi.json with
 * a member token naming its own member, a member of its downline, its upline, another member of
 * the tenant and a member of another tenant.
 */

const plan = {
  freezeDays: 0,
  templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } }],
};
const sale = (order: string, buyer: string, at: string, paid: string) => ({
  type: 'order.paid',
  at,
  order,
  buyer,
  lines: [{ line: 1, sku: 'tea', qty: 1, paid }],
});

/** Whose member a request names: the token's (ME), one below it, above it, beside it, in tenant B. */
const ME = 'mt-leader-2';
const TARGETS = {
  own: ME,
  downline: 'mt-leader-3',
  upline: 'mt-leader-1',
  other: 'mt-other',
  otherTenant: 'mtb-leader',
} as const;
type Whose = keyof typeof TARGETS;

/**
 * What a member token may do, declared here independently of the server's list
 * (src/api/leader-access.ts): `downline` reads answer for the member and those below it, `self`
 * reads for the member only. Every other operation is 403 to a member token.
 */
const LEADER_READS: Record<string, { reach: 'self' | 'downline'; query?: (target: string) => Record<string, string> }> = {
  'GET /v1/me': { reach: 'self' },
  'GET /v1/members/{id}': { reach: 'downline' },
  'GET /v1/members/{id}/downline': { reach: 'downline' },
  'GET /v1/members/{id}/upline': { reach: 'downline' },
  'GET /v1/awards': { reach: 'self', query: (member) => ({ member }) },
  'GET /v1/awards/explain': { reach: 'self', query: (member) => ({ member, order: 'mt-o1', rule: 'direct', lang: 'en' }) },
  'GET /v1/balances': { reach: 'self', query: (member) => ({ member }) },
  'GET /v1/withdrawals': { reach: 'self', query: (member) => ({ member }) },
  'GET /v1/statements/{member}': { reach: 'self', query: () => ({ month: '2026-04' }) },
};

const expectError = (reply: Reply, status: number, code: string) => {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.body.error.code).toBe(code);
  expect(typeof reply.body.error.message).toBe('string');
};

describe.each<Backend>(['pglite', 'postgres'])('member tokens on %s', (backend) => {
  let test: TestApp;
  let admin: ApiClient;
  let leader: ApiClient;
  let issued: Json;
  let operations: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string }[];

  beforeAll(async () => {
    test = await startApp(backend);
    ({ admin } = await createTenant(test, { id: 'mt-a', plan }));
    await admin.ok(
      admin.post('/v1/network/import', {
        members: [
          { id: 'mt-leader-1', role: 'leader' },
          { id: ME, role: 'leader', parent: 'mt-leader-1' },
          { id: 'mt-leader-3', role: 'leader', parent: ME },
          { id: 'mt-cust-2', role: 'customer', parent: ME },
          { id: 'mt-cust-3', role: 'customer', parent: 'mt-leader-3' },
          { id: 'mt-other', role: 'leader' },
          { id: 'mt-cust-x', role: 'customer', parent: 'mt-other' },
        ],
      }),
    );
    await sendEvents(admin, [
      sale('mt-o1', 'mt-cust-2', '2026-04-01T01:00:00Z', '100.00'),
      sale('mt-o2', 'mt-cust-3', '2026-04-01T02:00:00Z', '200.00'),
      sale('mt-o3', 'mt-cust-x', '2026-04-01T03:00:00Z', '300.00'),
      { type: 'order.completed', at: '2026-04-02T00:00:00Z', order: 'mt-o1' },
      { type: 'order.completed', at: '2026-04-02T00:00:00Z', order: 'mt-o2' },
      { type: 'order.completed', at: '2026-04-02T00:00:00Z', order: 'mt-o3' },
      { type: 'tick', at: '2026-04-03T00:00:00Z' },
      { type: 'withdrawal.requested', at: '2026-04-04T00:00:00Z', withdrawal: 'mt-w-me', member: ME, amount: '5.00' },
      { type: 'withdrawal.requested', at: '2026-04-04T00:00:00Z', withdrawal: 'mt-w-3', member: 'mt-leader-3', amount: '5.00' },
    ]);
    const b = await createTenant(test, { id: 'mt-b', plan });
    await b.admin.ok(b.admin.post('/v1/network/import', { members: [{ id: 'mtb-leader', role: 'leader' }] }));
    issued = await admin.ok(admin.post(`/v1/members/${ME}/tokens`, { expiresInDays: 7 }), 201);
    leader = test.as(issued.token);
    const doc = await test.anonymous.ok(test.anonymous.get('/openapi.json'));
    operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({ method: method.toUpperCase() as 'GET', path })),
    );
  });

  afterAll(async () => {
    await test?.close();
  });

  it('issues a token shown once with its sign-in link; lists it without the secret; audits it', async () => {
    expect(issued.token).toMatch(/^fym_[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{32}$/);
    expect(issued.link).toBe(`/leader#token=${issued.token}`);
    expect(issued.member).toBe(ME);
    const days = (Date.parse(issued.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const listed = await admin.get(`/v1/members/${ME}/tokens`);
    expect(listed.status).toBe(200);
    expect(listed.body.tokens).toEqual([
      expect.objectContaining({ id: issued.id, member: ME, revokedAt: null, expiresAt: issued.expiresAt }),
    ]);
    const secret = issued.token.split('.')[1];
    expect(listed.text).not.toContain(secret);
    const audit = await admin.ok(admin.get('/v1/audit', { action: 'member_token.*' }));
    expect(audit.entries.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)).toContain(
      `member_token.issued ${issued.id}`,
    );
    // Only the hash is kept: no table holds the secret.
    const tables = (
      await test.sql.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
      )
    ).rows;
    for (const { table_name: table } of tables) {
      const text =
        (await test.sql.query<{ all: string | null }>(`select string_agg(t::text, '|') as all from ${table} t`)).rows[0]!.all ??
        '';
      expect(text.includes(secret), `table ${table} holds the token's secret`).toBe(false);
    }
  });

  it('refuses to issue for a customer, an unknown member, or without an admin key', async () => {
    expectError(await admin.post('/v1/members/mt-cust-2/tokens', {}), 400, 'invalid');
    expectError(await admin.post('/v1/members/nobody/tokens', {}), 404, 'not_found');
    expectError(await admin.post(`/v1/members/${ME}/tokens`, { expiresInDays: 0 }), 400, 'invalid');
    const read = test.as((await createKey(admin, 'read')).key);
    expectError(await read.post(`/v1/members/${ME}/tokens`, {}), 403, 'forbidden');
    expectError(await read.get(`/v1/members/${ME}/tokens`), 403, 'forbidden');
  });

  it('says who is signed in: the member, its tenant, scope member', async () => {
    const me = await leader.ok(leader.get('/v1/me'));
    expect(me).toEqual({
      tenant: expect.objectContaining({ id: 'mt-a' }),
      key: { id: issued.id, scope: 'member' },
      member: { id: ME, expiresAt: issued.expiresAt },
    });
  });

  it('reads its own awards, explanations, balances, withdrawals and statement, by default its own', async () => {
    const awards = await leader.ok(leader.get('/v1/awards'));
    expect(
      awards.awards.map((a: { to: string; order: string; amount: string }) => `${a.to} ${a.order} ${a.amount}`).sort(),
    ).toEqual([`${ME} mt-o1 10.00`, `${ME} mt-o2 10.00`]);
    const why = await leader.ok(leader.get('/v1/awards/explain', { order: 'mt-o1', rule: 'direct', lang: 'en' }));
    expect(why.award.to).toBe(ME);
    expect(why.sentences.length).toBeGreaterThan(0);
    const balances = await leader.ok(leader.get('/v1/balances'));
    expect(balances.balances.map((b: { member: string }) => b.member)).toEqual([ME]);
    const withdrawals = await leader.ok(leader.get('/v1/withdrawals'));
    expect(withdrawals.withdrawals.map((w: { withdrawal: string }) => w.withdrawal)).toEqual(['mt-w-me']);
    const statement = await leader.ok(leader.get(`/v1/statements/${ME}`, { month: '2026-04' }));
    expect(statement.check.ok).toBe(true);
    const pdf = await leader.get(`/v1/statements/${ME}`, { month: '2026-04', format: 'csv' });
    expect(pdf.status).toBe(200);
  });

  it('reads its downline but never above itself: its parent and upline are cut at the member', async () => {
    const self = await leader.ok(leader.get(`/v1/members/${ME}`));
    expect(self.parent).toBeNull();
    const children = await leader.ok(leader.get(`/v1/members/${ME}/downline`));
    expect(children.children.map((c: { id: string }) => c.id)).toEqual(['mt-cust-2', 'mt-leader-3']);
    const below = await leader.ok(leader.get('/v1/members/mt-cust-3'));
    expect(below.parent).toBe('mt-leader-3');
    const upline = await leader.ok(leader.get('/v1/members/mt-cust-3/upline'));
    expect(upline.upline.map((m: { id: string }) => m.id)).toEqual(['mt-cust-3', 'mt-leader-3', ME]);
    const own = await leader.ok(leader.get(`/v1/members/${ME}/upline`));
    expect(own.upline.map((m: { id: string }) => m.id)).toEqual([ME]);
    // A member out of reach, existing or not: the same 403.
    for (const id of ['mt-leader-1', 'mt-other', 'nobody', 'mtb-leader'])
      expectError(await leader.get(`/v1/members/${id}`), 403, 'forbidden');
  });

  it('answers every operation of /openapi.json by the rule: own, downline, upline, other member, other tenant', async () => {
    expect(operations.length).toBeGreaterThan(40);
    const counted = { allowed: 0, refused: 0 };
    for (const op of operations) {
      const name = `${op.method} ${op.path}`;
      const rule = LEADER_READS[name];
      for (const whose of Object.keys(TARGETS) as Whose[]) {
        const target = TARGETS[whose];
        const url = op.path.replace(/\{(id|member)\}/g, encodeURIComponent(target)).replace(/\{[^}]+\}/g, 'x');
        const reply = await leader.request(op.method, url, {
          ...(rule?.query ? { query: rule.query(target) } : {}),
          ...(op.method === 'POST' || op.method === 'PUT' ? { body: { nonsense: true } } : {}),
        });
        const label = `${name} naming ${whose}: ${reply.text.slice(0, 200)}`;
        if (op.path === '/v1/tenants' || op.path.startsWith('/v1/ingest/')) {
          // The platform's and the shops' own credentials: a member token is none of them.
          expect(reply.status, label).toBe(401);
          continue;
        }
        const allowed =
          rule !== undefined && (whose === 'own' || (whose === 'downline' && rule.reach === 'downline') || name === 'GET /v1/me');
        if (allowed) {
          expect(reply.status, label).toBe(200);
          counted.allowed += 1;
        } else {
          expect(reply.status, label).toBe(403);
          expect(reply.body.error.code, label).toBe('forbidden');
          counted.refused += 1;
        }
      }
    }
    expect(counted.allowed).toBeGreaterThan(10);
    expect(counted.refused).toBeGreaterThan(200);
  });

  it('answers 401 once the token is revoked or expired; revoking is audited and answered once', async () => {
    const second = await admin.ok(admin.post(`/v1/members/${ME}/tokens`, {}), 201);
    const client = test.as(second.token);
    expect((await client.get('/v1/me')).status).toBe(200);
    expectError(
      await test.as(`${second.token.slice(0, -1)}${second.token.endsWith('A') ? 'B' : 'A'}`).get('/v1/me'),
      401,
      'unauthorized',
    );
    expect((await admin.delete(`/v1/members/${ME}/tokens/${second.id}`)).status).toBe(204);
    expectError(await client.get('/v1/me'), 401, 'unauthorized');
    expectError(await admin.delete(`/v1/members/${ME}/tokens/${second.id}`), 404, 'not_found');
    expectError(await admin.delete(`/v1/members/mt-other/tokens/${issued.id}`), 404, 'not_found');
    const listed = await admin.ok(admin.get(`/v1/members/${ME}/tokens`));
    expect(listed.tokens.find((t: { id: string }) => t.id === second.id).revokedAt).not.toBeNull();
    const audit = await admin.ok(admin.get('/v1/audit', { action: 'member_token.revoked' }));
    expect(audit.entries.map((e: { target: string }) => e.target)).toEqual([second.id]);

    const third = await admin.ok(admin.post(`/v1/members/${ME}/tokens`, { expiresInDays: 1 }), 201);
    await test.sql.query("update member_tokens set expires_at = now() - interval '1 second' where id = $1", [third.id]);
    forgetCachedMemberTokens();
    expectError(await test.as(third.token).get('/v1/me'), 401, 'unauthorized');
    // The first token still works.
    expect((await leader.get('/v1/me')).status).toBe(200);
  });
});
