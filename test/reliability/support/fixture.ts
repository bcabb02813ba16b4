import { createTenant, startApp, type ApiClient, type TenantHandle, type TestApp } from '../../support/app.ts';
import type { KnownIds } from './openapi.ts';

/** The secret of the fuzzed tenant's payload mapping (its /v1/ingest endpoint checks it). */
export const MAPPING_SECRET = 'fz-mapping-secret-0123456789';
export const MAPPING_NAME = 'fz-shop';

export const FUZZ_PLAN = {
  freezeDays: 0,
  minWithdrawal: '1.00',
  templates: [{ id: 'fz-direct', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } }],
};

export interface FuzzFixture {
  readonly test: TestApp;
  readonly tenant: TenantHandle;
  readonly admin: ApiClient;
  readonly known: KnownIds;
}

/**
 * A tenant with a little of everything (network, settled awards, a withdrawal on a payout batch,
 * a webhook, a payload mapping, payee details) on PostgreSQL, so that generated requests naming
 * its ids reach the logic behind "not found".
 */
export async function startFuzzFixture(prefix: string): Promise<FuzzFixture> {
  const test = await startApp('postgres');
  const tenant = await createTenant(test, { id: `${prefix}-${Date.now().toString(36)}`, name: 'fuzzed shop', plan: FUZZ_PLAN });
  const admin = tenant.admin;
  let clock = Date.parse('2026-04-01T00:00:00Z');
  const at = () => new Date((clock += 60_000)).toISOString();
  await admin.ok(
    admin.post('/v1/network/import', {
      members: [
        { id: 'fz-l1', role: 'leader' },
        { id: 'fz-l2', role: 'leader', parent: 'fz-l1' },
        { id: 'fz-c1', role: 'customer', parent: 'fz-l2' },
      ],
    }),
  );
  const events = [
    { type: 'order.paid', at: at(), order: 'fz-o1', buyer: 'fz-c1', lines: [{ line: 1, sku: 'fz-sku', qty: 1, paid: '500.00' }] },
    { type: 'order.completed', at: at(), order: 'fz-o1' },
    { type: 'order.paid', at: at(), order: 'fz-o2', buyer: 'fz-c1', lines: [{ line: 1, sku: 'fz-sku', qty: 2, paid: '80.00' }] },
    { type: 'tick', at: at() },
    { type: 'withdrawal.requested', at: at(), withdrawal: 'fz-w1', member: 'fz-l2', amount: '10.00' },
    { type: 'withdrawal.requested', at: at(), withdrawal: 'fz-w2', member: 'fz-l2', amount: '5.00' },
  ];
  const sent = await admin.ok(admin.post('/v1/events', { events }));
  const statuses = sent.results.map((r: { status: string }) => r.status);
  if (statuses.some((s: string) => s !== 'accepted')) throw new Error(`fixture events refused: ${JSON.stringify(sent.results)}`);
  await admin.ok(admin.request('PUT', '/v1/members/fz-l2/payee', { body: { realName: '张三', account: '6222000011112222' } }));
  const hook = await admin.ok(admin.post('/v1/webhooks', { url: 'https://shop.example/hook' }), 201);
  const batch = await admin.ok(admin.post('/v1/payouts/batches', { members: ['fz-l2'] }), 201);
  await admin.ok(
    admin.request('PUT', `/v1/mappings/${MAPPING_NAME}`, {
      body: {
        expression: '{"type": "member.joined", "at": at, "member": {"id": id, "role": "customer", "parent": parent}}',
        samples: [{ name: 'signup', payload: { id: 'sample', at: '2026-04-01T00:00:00Z', parent: 'fz-l1' } }],
        signature: { secret: MAPPING_SECRET },
      },
    }),
  );
  return {
    test,
    tenant,
    admin,
    known: {
      tenant: tenant.tenant,
      members: ['fz-l1', 'fz-l2', 'fz-c1'],
      orders: ['fz-o1', 'fz-o2'],
      withdrawals: ['fz-w1', 'fz-w2'],
      webhooks: [hook.id as string],
      batches: [batch.batch.id as string],
      mappings: [MAPPING_NAME],
      rules: ['fz-direct'],
    },
  };
}
