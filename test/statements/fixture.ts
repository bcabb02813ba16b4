import { expect } from 'vitest';
import { createTenant, type ApiClient, type TestApp } from '../support/app.ts';
import { sendEvents } from '../support/scenario.ts';

/**
 * A tenant whose February and March 2026 (Asia/Shanghai) exercise every line of a statement:
 * awards and a period award, a refund before settlement (pending) and one after (available),
 * withdrawals with cn-labor tax, a February withdrawal rejected in March (given back, with a tax
 * true-up and a correction of February's tax), a failed withdrawal, manual adjustments, and an
 * agency moving to another branch between two orders.
 */
export const PLAN = {
  freezeDays: 7,
  minWithdrawal: '1.00',
  tax: 'cn-labor',
  templates: [
    { id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } },
    { id: 'team', template: 'team-tier', params: { period: 'month', tiers: [{ min: '10000.00', rate: '1%' }] } },
  ],
};

export const MEMBERS = [
  { id: 'B1', role: 'branch' },
  { id: 'A1', role: 'agency', parent: 'B1' },
  { id: 'L1', role: 'leader', parent: 'A1' },
  { id: 'C1', role: 'customer', parent: 'L1' },
  { id: 'B2', role: 'branch' },
  { id: 'L2', role: 'leader', parent: 'B2' },
  { id: 'C2', role: 'customer', parent: 'L2' },
];

const paid = (order: string, buyer: string, at: string, amount: string) => ({
  type: 'order.paid',
  order,
  buyer,
  at,
  lines: [{ line: 1, sku: 'tea', qty: 1, paid: amount }],
});
const withdraw = (withdrawal: string, member: string, at: string, amount: string) => ({
  type: 'withdrawal.requested',
  withdrawal,
  member,
  at,
  amount,
});

export const EVENTS = [
  paid('O1', 'C1', '2026-02-03T10:00:00+08:00', '30000.00'),
  { type: 'order.completed', order: 'O1', at: '2026-02-04T10:00:00+08:00' },
  paid('O2', 'C1', '2026-02-05T10:00:00+08:00', '1000.00'),
  // Refunded before settlement: the reversal comes out of pending.
  {
    type: 'order.refunded',
    order: 'O2',
    refund: 'R2',
    at: '2026-02-06T10:00:00+08:00',
    lines: [{ line: 1, qty: 0, amount: '400.00' }],
  },
  { type: 'order.completed', order: 'O2', at: '2026-02-07T10:00:00+08:00' },
  withdraw('W1', 'L1', '2026-02-20T10:00:00+08:00', '1500.00'),
  withdraw('W2', 'L1', '2026-02-25T10:00:00+08:00', '500.00'),
  withdraw('W3', 'A1', '2026-02-26T10:00:00+08:00', '900.00'),
  paid('O3', 'C1', '2026-02-27T10:00:00+08:00', '500.00'),
  { type: 'order.completed', order: 'O3', at: '2026-02-28T10:00:00+08:00' },
  // 1 March 00:00 in Shanghai is still February in UTC: the month follows the tenant's zone.
  paid('O4', 'C2', '2026-03-01T00:30:00+08:00', '300.00'),
  // Refunded after settlement: the reversal comes out of available.
  {
    type: 'order.refunded',
    order: 'O1',
    refund: 'R1',
    at: '2026-03-02T10:00:00+08:00',
    lines: [{ line: 1, qty: 0, amount: '2000.00' }],
  },
  // A February withdrawal rejected in March: given back, and February's tax trued up.
  { type: 'withdrawal.rejected', withdrawal: 'W1', at: '2026-03-03T10:00:00+08:00', note: '银行卡信息有误 wrong bank account' },
  {
    type: 'adjustment.posted',
    adjustment: 'ADJ1',
    member: 'L1',
    amount: '88.00',
    reason: '三月活动奖励 March campaign bonus',
    at: '2026-03-05T10:00:00+08:00',
  },
  {
    type: 'adjustment.posted',
    adjustment: 'ADJ2',
    member: 'A1',
    amount: '-20.00',
    reason: '扣回多发佣金 clawback',
    at: '2026-03-05T11:00:00+08:00',
  },
  { type: 'tick', at: '2026-03-08T00:00:00+08:00' },
  withdraw('W4', 'L1', '2026-03-10T10:00:00+08:00', '1000.00'),
  withdraw('W5', 'A1', '2026-03-11T10:00:00+08:00', '100.00'),
  withdraw('W6', 'A1', '2026-03-12T10:00:00+08:00', '300.00'),
  { type: 'withdrawal.failed', withdrawal: 'W6', at: '2026-03-13T10:00:00+08:00', note: '账户冻结 account frozen' },
  { type: 'withdrawal.paid', withdrawal: 'W4', at: '2026-03-14T10:00:00+08:00', note: 'bank ref 123' },
  { type: 'order.completed', order: 'O4', at: '2026-03-15T10:00:00+08:00' },
  // The agency moves to the other branch: O5 counts for B2, O1–O3 stay with B1 (their payment time).
  { type: 'member.moved', member: 'A1', parent: 'B2', at: '2026-03-20T10:00:00+08:00' },
  paid('O5', 'C1', '2026-03-21T10:00:00+08:00', '100.00'),
  { type: 'tick', at: '2026-04-02T00:00:00+08:00' },
];

/** Creates the tenant over HTTP and sends the events; every event must be accepted. */
export async function seedFixture(test: TestApp, id: string): Promise<ApiClient> {
  const { admin } = await createTenant(test, {
    id,
    name: '对账商城 Statement shop',
    timezone: 'Asia/Shanghai',
    currency: 'CNY',
    plan: PLAN,
  });
  await admin.ok(admin.post('/v1/network/import', { members: MEMBERS }));
  const items = await sendEvents(admin, EVENTS);
  expect(
    items.map((item, i) => (item.status === 'rejected' ? `${i}: ${item.error.code} ${item.error.message}` : item.status)),
  ).toEqual(EVENTS.map(() => 'accepted'));
  return admin;
}

/** Decimal strings to minor units, for sums in tests. */
export const fen = (text: string | null | undefined): bigint => {
  if (text === null || text === undefined || text === '') return 0n;
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace(/^-/, '').split('.');
  const value = BigInt(whole!) * 100n + BigInt((fraction + '00').slice(0, 2));
  return negative ? -value : value;
};
