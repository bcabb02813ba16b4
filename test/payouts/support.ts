import { createKey, createTenant, startApp, type ApiClient, type Json, type TenantHandle, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { sendEvents } from '../support/scenario.ts';

/** Labour-remuneration tax, review above 1000.00, commissions available at once. */
export const PAYOUT_PLAN = {
  tax: 'cn-labor',
  freezeDays: 0,
  minWithdrawal: '10.00',
  withdrawals: { reviewAbove: '1000.00' },
  templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['20%'], base: 'paid' } }],
};

/** The app's wall clock, moved by the test (events sent without `at` use it). */
export class Clock {
  ms: number;
  constructor(start: string) {
    this.ms = Date.parse(start);
  }
  readonly now = (): number => this.ms;
  /** Moves on by `minutes` and answers the new instant. */
  next(minutes = 1): string {
    this.ms += minutes * 60_000;
    return new Date(this.ms).toISOString();
  }
  set(instant: string): string {
    this.ms = Date.parse(instant);
    return instant;
  }
}

export interface PayoutWorld {
  readonly test: TestApp;
  readonly clock: Clock;
}

export async function startPayoutApp(backend: Backend, start = '2026-08-01T00:00:00+08:00'): Promise<PayoutWorld> {
  const clock = new Clock(start);
  const test = await startApp(backend, { now: clock.now });
  return { test, clock };
}

/**
 * A tenant whose leaders (L1…Ln) each earned 40000.00, available at once: each has a customer
 * who paid 200000.00. Events are at the clock's instants.
 */
export async function payoutTenant(
  world: PayoutWorld,
  id: string,
  leaders = 3,
  plan: unknown = PAYOUT_PLAN,
): Promise<TenantHandle> {
  const handle = await createTenant(world.test, { id, timezone: 'Asia/Shanghai', currency: 'CNY', plan });
  const members: unknown[] = [];
  for (let i = 1; i <= leaders; i++)
    members.push({ id: `L${i}`, role: 'leader' }, { id: `c${i}`, role: 'customer', parent: `L${i}` });
  await handle.admin.ok(handle.admin.post('/v1/network/import', { members }));
  const events: unknown[] = [];
  for (let i = 1; i <= leaders; i++) {
    events.push(
      {
        type: 'order.paid',
        at: world.clock.next(),
        order: `O${i}`,
        buyer: `c${i}`,
        lines: [{ line: 1, sku: 's', qty: 1, paid: '200000.00' }],
      },
      { type: 'order.completed', at: world.clock.next(), order: `O${i}` },
    );
  }
  const items = await sendEvents(handle.admin, events);
  if (items.some((item) => item.status !== 'accepted')) throw new Error(`setup events not accepted: ${JSON.stringify(items)}`);
  return handle;
}

export async function withdraw(
  world: PayoutWorld,
  client: ApiClient,
  withdrawal: string,
  member: string,
  amount: string,
): Promise<Json> {
  return client.ok(client.post('/v1/withdrawals', { withdrawal, member, amount, at: world.clock.next() }));
}

export async function withdrawal(client: ApiClient, id: string): Promise<Json> {
  const body = await client.ok(client.get('/v1/withdrawals', { limit: 10000 }));
  return body.withdrawals.find((w: { withdrawal: string }) => w.withdrawal === id);
}

export async function balance(client: ApiClient, member: string): Promise<{ pending: string; available: string }> {
  const body = await client.ok(client.get('/v1/balances', { member }));
  const { pending, available } = body.balances[0];
  return { pending, available };
}

export async function audit(client: ApiClient, query: Record<string, string | number> = {}): Promise<Json[]> {
  return (await client.ok(client.get('/v1/audit', { limit: 1000, ...query }))).entries;
}

export { createKey };
