import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKey,
  createTenant,
  PLATFORM_TOKEN,
  startApp,
  type ApiClient,
  type Json,
  type Reply,
  type TenantHandle,
  type TestApp,
} from '../support/app.ts';
import { sendEvents } from '../support/scenario.ts';
import { signPayload } from '../../src/mappings/signature.ts';
import { recordFigures } from '../reliability/support/figures.ts';

/**
 * The authorisation matrix: every operation of the OpenAPI document × credential (admin, ingest
 * and read keys, the platform token, no key, garbage and revoked keys) × whose ids the request
 * names (its own tenant A's, or another tenant B's). A key of A never reads or changes B's data,
 * scopes are enforced (403), bad credentials are 401 whatever the request carries, and keys are
 * stored hashed. Every error answers {error: {code, message}}.
 */

/** `signature`: a shop's webhook, authenticated by its HMAC signature whatever key it carries. */
type Need = 'platform' | 'admin' | 'ingest' | 'read' | 'signature';
type Credential = 'admin' | 'ingest' | 'read' | 'platform';
type Method = 'GET' | 'POST' | 'DELETE' | 'PUT';

interface Target {
  readonly tenant: string;
  readonly leader: string;
  readonly leader2: string;
  readonly customer: string;
  readonly order: string;
  readonly rule: string;
  readonly webhook: string;
  /** A key id of the tenant that may be revoked. */
  readonly key: string;
  /** A payout batch of the tenant. */
  readonly batch: string;
}

interface Call {
  readonly method: Method;
  readonly url: string;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

interface Env {
  /** Whose ids the request names: tenant A's own, or tenant B's. */
  readonly target: Target;
  readonly own: boolean;
  /** Tenant A's admin, to prepare fresh resources before the request under test. */
  readonly setup: ApiClient;
  fresh(prefix: string): string;
  /** The next instant on tenant A's clock. */
  next(): string;
}

interface Recipe {
  readonly need: Need;
  call(env: Env): Promise<Call> | Call;
  /** Status of an authorised request naming the tenant's own ids (default: the documented 2xx). */
  readonly own?: number;
  /** Statuses allowed for an authorised request naming tenant B's ids (default: as `own`). */
  readonly other?: readonly number[];
  /** Checks the body of an authorised request (own or other). */
  check?(body: Json, own: boolean): void;
}

const sale = (order: string, buyer: string, at: string, referrer?: string) => ({
  type: 'order.paid',
  at,
  order,
  buyer,
  ...(referrer ? { referrer } : {}),
  lines: [{ line: 1, sku: 'matrix-sku', qty: 1, paid: '10.00' }],
});

const expectEmpty = (field: string) => (body: Json, own: boolean) => {
  if (!own) expect(body[field]).toEqual([]);
};

/** One request per operation, authorised by `need`; keys are "METHOD /path" as in the document. */
const RECIPES: Record<string, Recipe> = {
  // Payload mappings (issue 7): each tenant has one under its own name and secret.
  'GET /v1/mappings': {
    need: 'admin',
    check: (body) => expect(body.mappings.map((m: { name: string }) => m.name)).not.toContain(MAPPING_B),
    call: () => ({ method: 'GET', url: '/v1/mappings' }),
  },
  'PUT /v1/mappings/{name}': {
    // Names are the tenant's own: A saving any name makes A's mapping, never touches B's.
    need: 'admin',
    call: ({ fresh }) => ({ method: 'PUT', url: `/v1/mappings/${fresh('a-map')}`, body: mappingBody(SECRET_A) }),
  },
  'GET /v1/mappings/{name}': {
    need: 'admin',
    other: [404],
    check: (body) => expect(JSON.stringify(body)).not.toContain(SECRET_A),
    call: ({ own }) => ({ method: 'GET', url: `/v1/mappings/${own ? MAPPING_A : MAPPING_B}` }),
  },
  'DELETE /v1/mappings/{name}': {
    need: 'admin',
    other: [404],
    call: async ({ own, setup, fresh }) => {
      if (!own) return { method: 'DELETE', url: `/v1/mappings/${MAPPING_B}` };
      const name = fresh('a-gone');
      await setup.ok(setup.request('PUT', `/v1/mappings/${name}`, { body: mappingBody(SECRET_A) }));
      return { method: 'DELETE', url: `/v1/mappings/${name}` };
    },
  },
  'POST /v1/mappings/{name}/test': {
    need: 'read',
    other: [404],
    call: ({ own, target, next }) => ({
      method: 'POST',
      url: `/v1/mappings/${own ? MAPPING_A : MAPPING_B}/test`,
      body: { payload: { id: 'probe', at: next(), parent: target.leader } },
    }),
  },
  'POST /v1/ingest/{tenant}/{name}': {
    // No key counts here, only the shop's signature: A's secret opens A's endpoint, never B's.
    need: 'signature',
    other: [401],
    check: (body) => expect(body.results.map((r: { status: string }) => r.status)).toEqual(['accepted']),
    call: ({ own, target, fresh, next }) => {
      const body = { id: fresh('a-shop-member'), at: next(), parent: own ? target.leader : 'a-leader-1' };
      return {
        method: 'POST',
        url: `/v1/ingest/${target.tenant}/${own ? MAPPING_A : MAPPING_B}`,
        body,
        headers: {
          'x-signature': signPayload({ header: 'X-Signature', encoding: 'hex', prefix: '' }, SECRET_A, JSON.stringify(body)),
        },
      };
    },
  },
  'POST /v1/backfill/events': {
    // History in bulk: A's own sale is applied; one naming B's member is refused as unknown.
    need: 'admin',
    call: ({ own, target, fresh, next }) => ({
      method: 'POST',
      url: '/v1/backfill/events',
      body: {
        events: [own ? sale(fresh('o'), target.customer, next()) : sale(fresh('o'), target.customer, next(), target.leader)],
      },
    }),
    check: (body, own) => expect(own ? body.accepted : body.rejected[0]?.error.code).toBe(own ? 1 : 'unknown_member'),
  },
  'POST /v1/backfill/hold': { need: 'admin', call: () => ({ method: 'POST', url: '/v1/backfill/hold', body: { seconds: 5 } }) },
  'DELETE /v1/backfill/hold': { need: 'admin', call: () => ({ method: 'DELETE', url: '/v1/backfill/hold' }) },
  'POST /v1/tenants': {
    need: 'platform',
    other: [409],
    call: ({ own, target, fresh }) => ({
      method: 'POST',
      url: '/v1/tenants',
      body: { id: own ? fresh('matrix-t') : target.tenant, name: 'made by the matrix' },
    }),
  },
  'POST /v1/keys': { need: 'admin', call: () => ({ method: 'POST', url: '/v1/keys', body: { scope: 'read', label: 'matrix' } }) },
  'GET /v1/keys': { need: 'admin', call: () => ({ method: 'GET', url: '/v1/keys' }) },
  'DELETE /v1/keys/{id}': {
    need: 'admin',
    other: [404],
    call: async ({ own, target, setup }) => ({
      method: 'DELETE',
      url: `/v1/keys/${own ? (await createKey(setup, 'read', 'to revoke')).id : target.key}`,
    }),
  },
  'GET /v1/plans': { need: 'read', call: () => ({ method: 'GET', url: '/v1/plans' }) },
  'POST /v1/plans': {
    need: 'admin',
    call: ({ next }) => ({ method: 'POST', url: '/v1/plans', body: { plan: planOf('a-direct'), effectiveFrom: next() } }),
  },
  'POST /v1/plans/lint': {
    need: 'read',
    call: () => ({ method: 'POST', url: '/v1/plans/lint', body: { plan: planOf('a-direct') } }),
  },
  // The library of ready plans is the same for every tenant: any key reads it.
  'GET /v1/plan-library': { need: 'read', call: () => ({ method: 'GET', url: '/v1/plan-library' }) },
  'POST /v1/events': {
    need: 'ingest',
    call: ({ own, target, fresh, next }) => ({
      method: 'POST',
      url: '/v1/events',
      body: {
        events: [own ? sale(fresh('o'), target.customer, next()) : sale(fresh('o'), target.customer, next(), target.leader)],
      },
    }),
    check: (body, own) =>
      expect(body.results[0].status === 'accepted' ? 'accepted' : body.results[0].error.code).toBe(
        own ? 'accepted' : 'unknown_member',
      ),
  },
  'GET /v1/events': { need: 'read', call: () => ({ method: 'GET', url: '/v1/events', query: { limit: '1000' } }) },
  'GET /v1/events/rejected': { need: 'read', call: () => ({ method: 'GET', url: '/v1/events/rejected' }) },
  'POST /v1/network/import': {
    // Only before a tenant's first event: here it is always too late, but the key got that far.
    need: 'admin',
    own: 400,
    call: ({ target, fresh }) => ({
      method: 'POST',
      url: '/v1/network/import',
      body: { members: [{ id: fresh('m'), role: 'leader', parent: target.leader }] },
    }),
  },
  'POST /v1/members': {
    need: 'ingest',
    // Another tenant's member, named in the body, is unknown here: 422 unknown_member.
    other: [422],
    call: ({ target, fresh, next }) => ({
      method: 'POST',
      url: '/v1/members',
      body: { member: { id: fresh('m'), role: 'leader', parent: target.leader }, at: next() },
    }),
  },
  'POST /v1/members/{id}/move': {
    need: 'ingest',
    other: [404],
    call: async (env) => ({
      method: 'POST',
      url: `/v1/members/${await freshOrTarget(env, 'leader', env.target.leader2)}/move`,
      body: { parent: env.target.leader, at: env.next() },
    }),
  },
  'POST /v1/members/{id}/promote': {
    need: 'ingest',
    other: [404],
    call: async (env) => ({
      method: 'POST',
      url: `/v1/members/${await freshOrTarget(env, 'customer', env.target.customer)}/promote`,
      body: { role: 'leader', at: env.next() },
    }),
  },
  'POST /v1/members/{id}/level': {
    // A level set by hand is an admin's act (DOMAIN.md).
    need: 'admin',
    other: [404],
    call: async (env) => ({
      method: 'POST',
      url: `/v1/members/${await freshOrTarget(env, 'leader', env.target.leader2)}/level`,
      body: { level: 2, at: env.next() },
    }),
  },
  'POST /v1/members/{id}/regions': {
    need: 'ingest',
    other: [404],
    call: async (env) => ({
      method: 'POST',
      url: `/v1/members/${await freshOrTarget(env, 'leader', env.target.leader)}/regions`,
      body: { regions: [freshDistrict()], at: env.next() },
    }),
  },
  'GET /v1/members': {
    need: 'read',
    check: expectEmpty('members'),
    call: ({ own }) => ({ method: 'GET', url: '/v1/members', query: { q: own ? '' : 'bm-' } }),
  },
  'GET /v1/members/{id}': {
    need: 'read',
    other: [404],
    call: ({ target }) => ({ method: 'GET', url: `/v1/members/${target.leader}` }),
  },
  'GET /v1/members/{id}/upline': {
    need: 'read',
    other: [404],
    call: ({ target }) => ({ method: 'GET', url: `/v1/members/${target.customer}/upline` }),
  },
  'GET /v1/members/{id}/downline': {
    need: 'read',
    other: [404],
    call: ({ target }) => ({ method: 'GET', url: `/v1/members/${target.leader}/downline` }),
  },
  'GET /v1/awards': {
    need: 'read',
    check: expectEmpty('awards'),
    call: ({ target }) => ({ method: 'GET', url: '/v1/awards', query: { member: target.leader2 } }),
  },
  'GET /v1/awards/explain': {
    need: 'read',
    other: [404],
    call: ({ target }) => ({
      method: 'GET',
      url: '/v1/awards/explain',
      query: { member: target.leader2, order: target.order, rule: target.rule, lang: 'en' },
    }),
  },
  'GET /v1/balances': {
    need: 'read',
    check: expectEmpty('balances'),
    call: ({ target }) => ({ method: 'GET', url: '/v1/balances', query: { member: target.leader2 } }),
  },
  'POST /v1/withdrawals': {
    need: 'ingest',
    // Another tenant's member, named in the body, is unknown here: 422 unknown_member.
    other: [422],
    call: ({ target, fresh, next }) => ({
      method: 'POST',
      url: '/v1/withdrawals',
      body: { withdrawal: fresh('w'), member: target.leader2, amount: '0.01', at: next() },
    }),
  },
  'GET /v1/withdrawals': {
    need: 'read',
    check: expectEmpty('withdrawals'),
    call: ({ target }) => ({ method: 'GET', url: '/v1/withdrawals', query: { member: target.leader2 } }),
  },
  'POST /v1/tick': { need: 'admin', call: ({ next }) => ({ method: 'POST', url: '/v1/tick', body: { at: next() } }) },
  'GET /v1/verify': {
    need: 'admin',
    check: (body) => expect(body.ok).toBe(true),
    call: () => ({ method: 'GET', url: '/v1/verify' }),
  },
  'POST /v1/estimate': {
    need: 'read',
    // Another tenant's member, named in the body, is unknown here: 422 unknown_member.
    other: [422],
    call: ({ own, target }) => ({
      method: 'POST',
      url: '/v1/estimate',
      body: {
        buyer: target.customer,
        ...(own ? {} : { referrer: target.leader }),
        lines: [{ sku: 'matrix-sku', price: '10.00' }],
      },
    }),
  },
  'POST /v1/webhooks': {
    need: 'admin',
    call: ({ fresh }) => ({ method: 'POST', url: '/v1/webhooks', body: { url: `https://a.example/${fresh('hook')}` } }),
  },
  'GET /v1/webhooks': { need: 'read', call: () => ({ method: 'GET', url: '/v1/webhooks' }) },
  'DELETE /v1/webhooks/{id}': {
    need: 'admin',
    other: [404],
    call: async ({ own, target, setup }) => {
      const id = own
        ? (await setup.ok(setup.post('/v1/webhooks', { url: 'https://a.example/to-delete' }), 201)).id
        : target.webhook;
      return { method: 'DELETE', url: `/v1/webhooks/${id}` };
    },
  },
  'POST /v1/withdrawals/{id}/approve': {
    // Tenant A approves at once (no reviewAbove): approving again is a harmless duplicate.
    need: 'admin',
    other: [404],
    call: async (env) => ({
      method: 'POST',
      url: `/v1/withdrawals/${await withdrawalOf(env)}/approve`,
      body: { note: 'matrix', at: env.next() },
    }),
    check: (body, own) => {
      if (own) expect(body.status).toBe('duplicate');
    },
  },
  'POST /v1/withdrawals/{id}/reject': {
    need: 'admin',
    other: [404],
    call: async (env) => ({
      method: 'POST',
      url: `/v1/withdrawals/${await withdrawalOf(env)}/reject`,
      body: { reason: 'matrix', at: env.next() },
    }),
  },
  'POST /v1/withdrawals/{id}/paid': {
    need: 'admin',
    other: [404],
    call: async (env) => ({
      method: 'POST',
      url: `/v1/withdrawals/${await withdrawalOf(env)}/paid`,
      body: { reference: 'matrix', at: env.next() },
    }),
  },
  'POST /v1/withdrawals/{id}/failed': {
    need: 'admin',
    other: [404],
    call: async (env) => ({
      method: 'POST',
      url: `/v1/withdrawals/${await withdrawalOf(env)}/failed`,
      body: { reason: 'matrix', at: env.next() },
    }),
  },
  'POST /v1/adjustments': {
    need: 'admin',
    // Another tenant's member, named in the body, is unknown here: 422 unknown_member.
    other: [422],
    call: ({ target, fresh, next }) => ({
      method: 'POST',
      url: '/v1/adjustments',
      body: { adjustment: fresh('adj'), member: target.leader, amount: '0.01', reason: 'matrix', at: next() },
    }),
  },
  'GET /v1/adjustments': {
    need: 'admin',
    check: expectEmpty('adjustments'),
    call: ({ target }) => ({ method: 'GET', url: '/v1/adjustments', query: { member: target.leader2 } }),
  },
  'PUT /v1/members/{id}/payee': {
    need: 'admin',
    other: [404],
    call: ({ target }) => ({
      method: 'PUT',
      url: `/v1/members/${target.leader}/payee`,
      body: { realName: 'matrix payee', account: '6222000011112222' },
    }),
  },
  // Member tokens (issue 6): an admin issues, lists and revokes a leader's sign-in; B's member is unknown to A.
  'POST /v1/members/{id}/tokens': {
    need: 'admin',
    other: [404],
    check: (body, own) => {
      if (own) expect(body.token).toMatch(/^fym_/);
    },
    call: ({ target }) => ({ method: 'POST', url: `/v1/members/${target.leader2}/tokens`, body: { expiresInDays: 1 } }),
  },
  'GET /v1/members/{id}/tokens': {
    need: 'admin',
    check: expectEmpty('tokens'),
    call: ({ target }) => ({ method: 'GET', url: `/v1/members/${target.leader2}/tokens` }),
  },
  'DELETE /v1/members/{id}/tokens/{tokenId}': {
    need: 'admin',
    other: [404],
    call: async ({ own, target, setup }) => {
      const id = own ? (await setup.ok(setup.post(`/v1/members/${target.leader2}/tokens`, {}), 201)).id : 'bm-token';
      return { method: 'DELETE', url: `/v1/members/${target.leader2}/tokens/${id}` };
    },
  },
  'GET /v1/members/{id}/payee': {
    need: 'read',
    other: [404],
    call: ({ target }) => ({ method: 'GET', url: `/v1/members/${target.leader2}/payee` }),
  },
  'GET /v1/audit': { need: 'admin', call: () => ({ method: 'GET', url: '/v1/audit', query: { limit: '1000' } }) },
  'POST /v1/payouts/batches': {
    // Own: a fresh approved withdrawal of A's payee; B's member has none in A: nothing to pay.
    need: 'admin',
    other: [409],
    call: async (env) => {
      if (env.own) await withdrawalOf(env);
      return { method: 'POST', url: '/v1/payouts/batches', body: { members: [env.target.leader2] } };
    },
  },
  'GET /v1/payouts/batches': { need: 'admin', call: () => ({ method: 'GET', url: '/v1/payouts/batches' }) },
  // Names no id: A's own preview either way (B's withdrawals are never in it: the answer check below).
  'GET /v1/payouts/preview': { need: 'read', call: () => ({ method: 'GET', url: '/v1/payouts/preview' }) },
  'GET /v1/payouts/batches/{id}': {
    need: 'admin',
    other: [404],
    call: ({ target }) => ({ method: 'GET', url: `/v1/payouts/batches/${target.batch}` }),
  },
  'GET /v1/payouts/batches/{id}/export': {
    need: 'admin',
    other: [404],
    call: ({ target }) => ({ method: 'GET', url: `/v1/payouts/batches/${target.batch}/export`, query: { format: 'csv' } }),
  },
  'POST /v1/payouts/batches/{id}/results': {
    // A result naming no line: reported, not applied.
    need: 'admin',
    other: [404],
    call: ({ target }) => ({
      method: 'POST',
      url: `/v1/payouts/batches/${target.batch}/results`,
      headers: { 'content-type': 'text/csv' },
      body: 'reference,status\nPB20990101-000000-000001,paid\n',
    }),
    check: (body, own) => {
      if (own) expect(body.problems.map((p: { code: string }) => p.code)).toEqual(['unknown_reference']);
    },
  },
  'GET /v1/payouts/batches/{id}/reconcile': {
    need: 'admin',
    other: [404],
    call: ({ target }) => ({ method: 'GET', url: `/v1/payouts/batches/${target.batch}/reconcile` }),
    check: (body) => expect(body.ok).toBe(true),
  },
  'GET /v1/me': {
    need: 'read',
    check: (body) => expect(body.tenant.id).toMatch(/^iso-a-/),
    call: () => ({ method: 'GET', url: '/v1/me' }),
  },
  'GET /v1/reports/summary': {
    // Tenant-scoped: a key of A sums A's orders and awards only (B's rule and 321.00 never show;
    // its recent rejected events are A's own, which may name B's ids that A sent).
    need: 'read',
    check: (body) => expect(body.rules).toEqual(['a-direct']),
    call: () => ({ method: 'GET', url: '/v1/reports/summary', query: { from: '2026-03-01', to: '2026-05-01', bucket: 'month' } }),
  },
  'POST /v1/simulations': {
    // A replay of the caller's own history: A's orders under A's plan; B's events and rule never show.
    need: 'read',
    check: (body) => {
      expect(body.kind).toBe('replay');
      expect(body.plans[0].rules).toEqual(['a-direct']);
      expect(JSON.stringify(body)).not.toMatch(/bm-|321\.00/);
    },
    call: () => ({
      method: 'POST',
      url: '/v1/simulations',
      body: { plans: ['current'], replay: { from: '2026-03', to: '2026-04' } },
    }),
  },
  'GET /v1/statements/{member}': {
    // Another tenant's member is no member of this tenant.
    need: 'read',
    other: [404],
    check: (body) => {
      expect(body.member.id).toBe('a-leader-2');
      expect(body.check.ok).toBe(true);
    },
    call: ({ target }) => ({ method: 'GET', url: `/v1/statements/${target.leader2}`, query: { month: '2026-04' } }),
  },
  'GET /v1/reports/tax': {
    // Tenant-scoped: only A's withdrawals (B's withdrawal and member never show).
    need: 'read',
    check: (body) => {
      expect(body.tenant.id).toMatch(/^iso-a-/);
      expect(body.rows.every((row: { member: string }) => row.member.startsWith('a-'))).toBe(true);
      expect(body.check.ok).toBe(true);
    },
    call: () => ({ method: 'GET', url: '/v1/reports/tax', query: { month: '2026-04' } }),
  },
  'GET /v1/reports/commission': {
    // Tenant-scoped: A's rules and orders only.
    need: 'read',
    check: (body) => {
      expect(body.groups.map((group: { key: string }) => group.key)).toEqual(['a-direct']);
      expect(body.check.ok).toBe(true);
    },
    call: () => ({ method: 'GET', url: '/v1/reports/commission', query: { from: '2026-03-01', to: '2026-05-01', by: 'rule' } }),
  },
  'GET /v1/webhooks/{id}/deliveries': {
    // Another tenant's webhook id is no webhook of this tenant: not found, or no deliveries.
    need: 'read',
    other: [200, 404],
    check: (body, own) => {
      if (!own && body.deliveries) expect(body.deliveries).toEqual([]);
    },
    call: ({ target }) => ({ method: 'GET', url: `/v1/webhooks/${target.webhook}/deliveries` }),
  },
};

/** A fresh approved withdrawal of tenant A's second leader (own), or tenant B's withdrawal id. */
async function withdrawalOf(env: Env): Promise<string> {
  if (!env.own) return 'bm-withdrawal-1';
  const id = env.fresh('a-w');
  await env.setup.ok(
    env.setup.post('/v1/withdrawals', { withdrawal: id, member: env.target.leader2, amount: '0.01', at: env.next() }),
  );
  return id;
}

let districts = 0;
const freshDistrict = () => String(710000 + ++districts);

/** A fresh member of tenant A (joined by A's admin) for an own request; B's member otherwise. */
async function freshOrTarget(env: Env, role: 'leader' | 'customer', theirs: string): Promise<string> {
  if (!env.own) return theirs;
  const id = env.fresh(role);
  await env.setup.ok(env.setup.post('/v1/members', { member: { id, role, parent: env.target.leader }, at: env.next() }));
  return id;
}

function planOf(rule: string) {
  return { freezeDays: 0, templates: [{ id: rule, template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } }] };
}

const MAPPING_A = 'a-shop-mapping';
const MAPPING_B = 'bm-shop-mapping';
const SECRET_A = 'a-shop-secret-0123456789';
const SECRET_B = 'bm-shop-secret-0123456789';
function mappingBody(secret: string) {
  return {
    expression: '{"type": "member.joined", "at": at, "member": {"id": id, "role": "customer", "parent": parent}}',
    samples: [{ name: 'signup', payload: { id: 'sample', at: '2026-04-01T00:00:00Z', parent: 'x' } }],
    signature: { secret },
  };
}

/** The answer allowed for a credential, or null when the request is authorised. */
function refusal(credential: Credential, need: Need): 401 | 403 | null {
  if (need === 'signature') return null;
  if (need === 'platform') return credential === 'platform' ? null : 401;
  if (credential === 'platform') return 401;
  if (credential === 'admin') return null;
  if (credential === 'ingest') return need === 'admin' ? 403 : null;
  return need === 'read' ? null : 403;
}

/** Every error body is exactly {error: {code, message[, path]}} with a non-empty message. */
function expectErrorBody(reply: Reply, code?: string): void {
  expect(Object.keys(reply.body ?? {})).toEqual(['error']);
  const error = reply.body.error;
  expect(Object.keys(error).every((key) => ['code', 'message', 'path'].includes(key))).toBe(true);
  expect(typeof error.code).toBe('string');
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  if (error.path !== undefined) expect(Array.isArray(error.path)).toBe(true);
  if (code) expect(error.code).toBe(code);
}

describe('authorisation matrix and tenant isolation (PostgreSQL)', () => {
  let test: TestApp;
  let a: TenantHandle;
  let b: TenantHandle;
  let targetA: Target;
  let targetB: Target;
  let operations: { method: Method; path: string; success: number }[];
  const clients = {} as Record<Credential, ApiClient>;
  const revoked: ApiClient[] = [];
  /** Every key text handed out during the test (none may be stored). */
  const keyTexts = new Set<string>();
  /** Strings only tenant B's data holds: none may reach a response to A unless A sent it. */
  const bMarkers: string[] = [];
  const sentByA: string[] = [];
  let bBefore: unknown;
  let counter = 0;
  /** Cells of the matrix checked: [operation, credential, whose ids] → status, and bad credentials × operation. */
  const cells = { scoped: 0, badCredentials: 0, denied: 0 };
  let clockA = Date.parse('2026-04-01T00:00:00Z');

  const env = (own: boolean): Env => ({
    target: own ? targetA : targetB,
    own,
    setup: a.admin,
    fresh: (prefix) => `${prefix}-${++counter}`,
    next: () => new Date((clockA += 60_000)).toISOString(),
  });

  /** Sends a recipe's request with a credential; checks what reached A's caller never leaks B. */
  async function send(client: ApiClient, call: Call): Promise<Reply> {
    const reply = await client.request(call.method, call.url, {
      ...(call.query ? { query: call.query } : {}),
      ...(call.headers ? { headers: call.headers } : {}),
      ...(call.body !== undefined ? { body: call.body } : {}),
    });
    // A's own logs may echo what A sent earlier (its rejected events name B's ids): that is no leak.
    sentByA.push(`${call.url} ${JSON.stringify(call.query ?? {})} ${JSON.stringify(call.body ?? null)}`);
    const leaked = bMarkers.filter((marker) => reply.text.includes(marker) && !sentByA.some((sent) => sent.includes(marker)));
    expect(leaked, `${call.method} ${call.url} answered with tenant B's data`).toEqual([]);
    if (reply.body && typeof reply.body.key === 'string') keyTexts.add(reply.body.key);
    return reply;
  }

  beforeAll(async () => {
    test = await startApp('postgres');
    const suffix = randomBytes(3).toString('hex');
    operations = await documentedOperations(test);

    a = await createTenant(test, { id: `iso-a-${suffix}`, name: 'tenant A', plan: planOf('a-direct') });
    await a.admin.ok(
      a.admin.post('/v1/network/import', {
        members: [
          { id: 'a-leader-1', role: 'leader' },
          { id: 'a-leader-2', role: 'leader', parent: 'a-leader-1' },
          { id: 'a-cust-1', role: 'customer', parent: 'a-leader-2' },
        ],
      }),
    );
    const at = () => new Date((clockA += 60_000)).toISOString();
    await sendEvents(a.admin, [
      sale('a-order-1', 'a-cust-1', at()),
      { type: 'order.completed', at: at(), order: 'a-order-1' },
      { type: 'tick', at: at() },
    ]);
    const hookA = await a.admin.ok(a.admin.post('/v1/webhooks', { url: 'https://a.example/hook' }), 201);
    await a.admin.ok(
      a.admin.request('PUT', '/v1/members/a-leader-2/payee', { body: { realName: 'A payee', account: '6222000011110001' } }),
    );
    await a.admin.ok(
      a.admin.post('/v1/withdrawals', { withdrawal: 'a-w-batched', member: 'a-leader-2', amount: '0.01', at: at() }),
    );
    const batchA = await a.admin.ok(a.admin.post('/v1/payouts/batches', {}), 201);
    const spareA = await createKey(a.admin, 'read', 'spare');
    targetA = {
      tenant: a.tenant,
      leader: 'a-leader-1',
      leader2: 'a-leader-2',
      customer: 'a-cust-1',
      order: 'a-order-1',
      rule: 'a-direct',
      webhook: hookA.id,
      key: spareA.id,
      batch: batchA.batch.id,
    };

    b = await createTenant(test, { id: `iso-b-${suffix}`, name: 'bm-tenant-name', plan: planOf('bm-rule') });
    await b.admin.ok(
      b.admin.post('/v1/network/import', {
        members: [
          { id: 'bm-leader-1', role: 'leader', regions: ['72'] },
          { id: 'bm-leader-2', role: 'leader', parent: 'bm-leader-1' },
          { id: 'bm-cust-1', role: 'customer', parent: 'bm-leader-2' },
        ],
      }),
    );
    const bEvents = [
      { ...sale('bm-order-1', 'bm-cust-1', '2026-04-01T00:01:00Z'), lines: [{ line: 1, sku: 'bm-sku', qty: 1, paid: '321.00' }] },
      { type: 'order.completed', at: '2026-04-01T00:02:00Z', order: 'bm-order-1' },
      {
        type: 'withdrawal.requested',
        at: '2026-04-01T00:03:00Z',
        withdrawal: 'bm-withdrawal-1',
        member: 'bm-leader-2',
        amount: '3.21',
      },
      {
        type: 'withdrawal.requested',
        at: '2026-04-01T00:04:00Z',
        withdrawal: 'bm-rejected-withdrawal',
        member: 'bm-leader-2',
        amount: '9999.00',
      },
    ];
    const bItems = await sendEvents(b.admin, bEvents);
    expect(bItems.map((item) => item.status)).toEqual(['accepted', 'accepted', 'accepted', 'rejected']);
    const hookB = await b.admin.ok(b.admin.post('/v1/webhooks', { url: 'https://bm-hook.example/hook' }), 201);
    await b.admin.ok(
      b.admin.request('PUT', '/v1/members/bm-leader-2/payee', {
        body: { realName: 'bm-payee-name', account: '6222999988887777' },
      }),
    );
    await b.admin.ok(
      b.admin.post('/v1/adjustments', {
        adjustment: 'bm-adjustment-1',
        member: 'bm-leader-2',
        amount: '0.07',
        reason: 'bm-adjustment-reason',
        at: '2026-04-01T00:05:00Z',
      }),
    );
    const batchB = await b.admin.ok(b.admin.post('/v1/payouts/batches', {}), 201);
    const spareB = await createKey(b.admin, 'read', 'bm-key-label');
    targetB = {
      tenant: b.tenant,
      leader: 'bm-leader-1',
      leader2: 'bm-leader-2',
      customer: 'bm-cust-1',
      order: 'bm-order-1',
      rule: 'bm-rule',
      webhook: hookB.id,
      key: spareB.id,
      batch: batchB.batch.id,
    };
    await a.admin.ok(a.admin.request('PUT', `/v1/mappings/${MAPPING_A}`, { body: mappingBody(SECRET_A) }));
    await b.admin.ok(b.admin.request('PUT', `/v1/mappings/${MAPPING_B}`, { body: mappingBody(SECRET_B) }));
    bMarkers.push(SECRET_B);
    const bKeys = await b.admin.ok(b.admin.get('/v1/keys'));
    bMarkers.push(
      b.tenant,
      'bm-tenant-name',
      'bm-leader-1',
      'bm-leader-2',
      'bm-cust-1',
      'bm-order-1',
      'bm-rule',
      'bm-sku',
      'bm-withdrawal-1',
      'bm-rejected-withdrawal',
      'bm-hook.example',
      'bm-key-label',
      'bm-payee-name',
      '6222999988887777',
      '6222********7777',
      'bm-adjustment-1',
      'bm-adjustment-reason',
      batchB.batch.id,
      hookB.id,
      hookB.secret,
      '321.00',
      ...bKeys.keys.map((key: { id: string }) => key.id),
    );

    for (const scope of ['ingest', 'read'] as const) clients[scope] = test.as((await createKey(a.admin, scope)).key);
    clients.admin = a.admin;
    clients.platform = test.platform;
    for (const scope of ['admin', 'ingest', 'read'] as const) {
      const key = await createKey(a.admin, scope, `revoked ${scope}`);
      await a.admin.ok(a.admin.delete(`/v1/keys/${key.id}`), 204);
      revoked.push(test.as(key.key));
    }
    for (const client of [a.admin, b.admin, ...Object.values(clients), ...revoked])
      if (client.key?.startsWith('fyk_')) keyTexts.add(client.key);
    keyTexts.add(spareA.key).add(spareB.key);
    bBefore = await snapshot(test, b);
  });

  afterAll(async () => {
    await test?.close();
    const needs = new Map<Need, number>();
    for (const recipe of Object.values(RECIPES)) needs.set(recipe.need, (needs.get(recipe.need) ?? 0) + 1);
    recordFigures(
      'security',
      '1-matrix',
      [
        '### Authorisation matrix (`test/api/isolation.test.ts`)',
        '',
        `Every operation of /openapi.json (${operations?.length ?? 0}) has a declared required scope (a new route without one fails the test): ${[...needs].map(([need, n]) => `${need} ${n}`).join(', ')}. Checked: ${cells.scoped} cells operation × credential (admin, ingest, read keys, the platform token) × own / other tenant's ids, ${cells.denied} of them refused (401/403) as the declared scope says; ${cells.badCredentials} requests with no key, a malformed, forged, truncated or revoked key (or the wrong kind of credential) on every operation, all 401 before the body is read. Tenant B's rows (digest of every table holding a tenant id) unchanged, none of its data in any answer to A; keys stored as sha256 only.`,
      ].join('\n'),
    );
  });

  it('has a recipe for exactly the operations of the OpenAPI document', () => {
    expect(operations.map((op) => `${op.method} ${op.path}`).sort()).toEqual(Object.keys(RECIPES).sort());
  });

  it('answers 401 to no key, garbage, forged and revoked keys on every operation, whatever the request carries', async () => {
    const idA = clients.read.key!.slice(4, 16);
    const bad: (string | null)[] = [
      null,
      'garbage',
      `fyk_${idA}`,
      `fyk_${idA}.${'x'.repeat(32)}`,
      `fyk_${'z'.repeat(12)}.${'y'.repeat(32)}`,
      `fym_${'z'.repeat(12)}.${'y'.repeat(32)}`, // shaped like a member token
      `${clients.admin.key!}x`,
      '',
      PLATFORM_TOKEN.slice(0, -1),
    ];
    for (const op of operations) {
      // (A webhook goes to a real endpoint of A: what is refused is the missing signature.)
      const url = op.path.startsWith('/v1/ingest/') ? `/v1/ingest/${a.tenant}/${MAPPING_A}` : op.path.replace(/\{[^}]+\}/g, 'x');
      const credentials: ApiClient[] = [...bad.map((key) => test.as(key)), ...revoked];
      if (op.path === '/v1/tenants') credentials.push(clients.admin, test.as(b.adminKey));
      // A shop's webhook is authenticated by its signature: no API key opens it.
      else if (op.path.startsWith('/v1/ingest/')) credentials.push(clients.admin, test.as(b.adminKey), test.platform);
      else credentials.push(test.platform);
      for (const client of credentials) {
        // No usable body at all: authentication comes before validation.
        const reply = await client.request(
          op.method,
          url,
          op.method === 'GET' || op.method === 'DELETE' ? {} : { body: { nonsense: true } },
        );
        expect(
          reply.status,
          `${op.method} ${op.path} with ${client.key === null ? 'no key' : JSON.stringify(client.key.slice(0, 20))}`,
        ).toBe(401);
        cells.badCredentials += 1;
        expectErrorBody(reply, 'unauthorized');
      }
      const scheme = await test
        .as(null)
        .request(op.method, url, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
      expect(scheme.status).toBe(401);
      expectErrorBody(scheme, 'unauthorized');
    }
  });

  describe.each(['own', 'other'] as const)('requests naming %s tenant ids', (whose) => {
    it.each(Object.keys(RECIPES))('%s: by scope', async (operation) => {
      const recipe = RECIPES[operation]!;
      const documented = operations.find((op) => `${op.method} ${op.path}` === operation)!;
      for (const credential of ['admin', 'ingest', 'read', 'platform'] as const) {
        const call = await recipe.call(env(whose === 'own'));
        const reply = await send(clients[credential], call);
        const denied = refusal(credential, recipe.need);
        cells.scoped += 1;
        if (denied !== null) cells.denied += 1;
        const label = `${operation} (${whose}) with ${credential}: ${reply.text.slice(0, 300)}`;
        if (denied !== null) {
          expect(reply.status, label).toBe(denied);
          expectErrorBody(reply, denied === 401 ? 'unauthorized' : 'forbidden');
          continue;
        }
        const own = recipe.own ?? documented.success;
        const allowed = whose === 'own' ? [own] : (recipe.other ?? [own]);
        expect(allowed, label).toContain(reply.status);
        if (reply.status >= 400) expectErrorBody(reply);
        else recipe.check?.(reply.body, whose === 'own');
      }
    });
  });

  it("leaves tenant B's data unchanged and its keys working", async () => {
    expect(await snapshot(test, b)).toEqual(bBefore);
    const balances = await b.admin.ok(b.admin.get('/v1/balances'));
    expect(balances.balances.length).toBeGreaterThan(0);
    const spareB = [...keyTexts].find((key) => key.startsWith(`fyk_${targetB.key}.`))!;
    const awards = await test.as(spareB).get('/v1/awards');
    expect(awards.status).toBe(200);
    expect(awards.body.awards.map((award: { order: string }) => award.order)).toContain('bm-order-1');
  });

  it('stores API keys hashed: no table holds a key or its secret, and GET /v1/keys shows none', async () => {
    expect(keyTexts.size).toBeGreaterThan(8);
    const rows = (
      await test.sql.query<{ id: string; secret_hash: string; row: string }>(
        'select id, secret_hash, t::text as row from api_keys t',
      )
    ).rows;
    for (const key of keyTexts) {
      const [id, secret] = key.slice(4).split('.') as [string, string];
      const row = rows.find((r) => r.id === id);
      expect(row, `key ${id} is stored`).toBeDefined();
      expect(row!.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(rows.filter((r) => r.row.includes(secret) || r.row.includes(key))).toEqual([]);
    }
    const tables = (
      await test.sql.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
      )
    ).rows;
    for (const { table_name: table } of tables) {
      const text =
        (await test.sql.query<{ all: string | null }>(`select string_agg(t::text, '|') as all from ${table} t`)).rows[0]!.all ??
        '';
      const found = [...keyTexts].filter((key) => text.includes(key.split('.')[1]!));
      expect(found, `table ${table} holds key secrets`).toEqual([]);
    }
    for (const tenant of [a, b]) {
      const listed = await tenant.admin.get('/v1/keys');
      expect(listed.status).toBe(200);
      expect([...keyTexts].filter((key) => listed.text.includes(key.split('.')[1]!))).toEqual([]);
    }
  });
});

/** The operations of GET /openapi.json with their documented success status. */
async function documentedOperations(test: TestApp): Promise<{ method: Method; path: string; success: number }[]> {
  const doc = await test.anonymous.ok(test.anonymous.get('/openapi.json'));
  const operations: { method: Method; path: string; success: number }[] = [];
  for (const [path, item] of Object.entries(
    doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>,
  )) {
    for (const [method, operation] of Object.entries(item)) {
      const success = Object.keys(operation.responses)
        .map(Number)
        .find((status) => status >= 200 && status < 300);
      operations.push({ method: method.toUpperCase() as Method, path, success: success ?? 200 });
    }
  }
  return operations;
}

/**
 * Tenant B as its admin sees it over HTTP, and every row of B in every table holding a
 * tenant_id (found in the catalog, so new tables are covered), as digests.
 */
async function snapshot(test: TestApp, tenant: TenantHandle): Promise<unknown> {
  const api: Record<string, unknown> = {};
  for (const path of [
    '/v1/balances',
    '/v1/events',
    '/v1/events/rejected',
    '/v1/awards',
    '/v1/withdrawals',
    '/v1/members',
    '/v1/plans',
    '/v1/keys',
    '/v1/webhooks',
  ]) {
    api[path] = await tenant.admin.ok(tenant.admin.get(path, path === '/v1/events' ? { limit: 1000 } : undefined));
  }
  const tables = (
    await test.sql.query<{ table_name: string }>(
      "select table_name from information_schema.columns where column_name = 'tenant_id' and table_schema = current_schema() order by table_name",
    )
  ).rows.map((row) => row.table_name);
  const rows: Record<string, string> = {};
  for (const table of tables) {
    const row = (
      await test.sql.query<{ n: number; digest: string }>(
        `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${table} t where tenant_id = $1`,
        [tenant.tenant],
      )
    ).rows[0]!;
    rows[table] = `${row.n} ${row.digest}`;
  }
  rows.tenants = (
    await test.sql.query<{ row: string }>('select t::text as row from tenants t where id = $1', [tenant.tenant])
  ).rows[0]!.row;
  expect(tables).toEqual(
    expect.arrayContaining(['api_keys', 'events', 'postings', 'awards', 'balances', 'withdrawals', 'webhooks']),
  );
  return { api, rows };
}
