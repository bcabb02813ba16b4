import { DateTime } from 'luxon';
import { createKey, forgetCachedKeys } from '../service/keys.ts';
import type { Service } from '../service/service.ts';
import { createTenant } from '../service/tenants.ts';
import { Random } from '../sim/random.ts';

export const DEMO_TENANT = 'demo';

/** A plan for a mixed social e-commerce / community group-buy shop that passes the `cn` lint. */
export function demoPlan(now: number): unknown {
  const month = DateTime.fromMillis(now, { zone: 'Asia/Shanghai' }).startOf('month');
  return {
    name: '演示方案 Demo plan',
    freezeDays: 7,
    minWithdrawal: '10.00',
    tax: 'cn-labor',
    recruit: { role: 'leader', level: 1, when: { spend: '999.00' } },
    levels: [
      { level: 2, name: '金牌团长', upgradeWhen: { any: [{ personalSales: '20000.00' }, { directRecruits: 5 }] } },
      {
        level: 3,
        name: '钻石团长',
        upgradeWhen: { all: [{ teamSales: '150000.00' }, { directAtLevel: { level: 2, count: 2 } }] },
      },
    ],
    templates: [
      { id: 'direct', name: '推荐奖', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } },
      {
        id: 'pickup',
        name: '自提点佣金',
        template: 'group-buy',
        params: { pickupRate: '5%', recommenderRate: '1%', base: 'paid' },
      },
      {
        id: 'tea-week',
        name: '茶叶周活动',
        template: 'targeted',
        params: {
          from: month.minus({ months: 1 }).toISODate(),
          to: month.toISODate(),
          categories: ['tea'],
          rate: '3%',
          base: 'paid',
        },
      },
      {
        id: 'team',
        name: '团队业绩奖',
        template: 'team-tier',
        params: {
          period: 'month',
          tiers: [
            { min: '20000.00', rate: '2%' },
            { min: '80000.00', rate: '4%' },
          ],
        },
      },
      {
        id: 'area',
        name: '区域代理奖',
        template: 'region',
        params: { rates: { province: '0.3%', city: '0.5%', district: '1%' }, base: 'paid' },
      },
    ],
  };
}

const PROVINCES = [
  { code: '33', cities: ['3301', '3302'], districts: ['330102', '330106', '330203'] },
  { code: '44', cities: ['4401', '4403'], districts: ['440103', '440305'] },
  { code: '11', cities: ['1101'], districts: ['110101', '110105'] },
];
const PRODUCTS = [
  { sku: 'milk-1L', category: 'dairy', price: 1990 },
  { sku: 'yogurt-6', category: 'dairy', price: 4550 },
  { sku: 'longjing-250g', category: 'tea', price: 26800 },
  { sku: 'puer-cake', category: 'tea', price: 39900 },
  { sku: 'eggs-30', category: 'fresh', price: 3290 },
  { sku: 'rice-5kg', category: 'grain', price: 6990 },
];

const DEMO_KEY_LABEL = 'npm start demo key';

/**
 * Seeds the demo tenant once: a network of a few hundred members and three months of orders,
 * completions, refunds and withdrawals, all through the normal ingestion path.
 * Returns a fresh admin key (only its hash is stored); the one the last start printed is revoked.
 */
export async function seedDemo(
  service: Service,
  now: number,
  log: (line: string) => void,
): Promise<{ key: string; created: boolean }> {
  const exists = (await service.sql.query('select 1 from tenants where id = $1', [DEMO_TENANT])).rows.length > 0;
  if (!exists) {
    log('seeding the demo tenant (a few hundred members, three months of orders)…');
    await createTenant(service, {
      id: DEMO_TENANT,
      name: '演示商城 Demo shop',
      timezone: 'Asia/Shanghai',
      currency: 'CNY',
      plan: demoPlan(now),
    });
    const { members, events } = demoData(now);
    await service.importNetwork(DEMO_TENANT, members, 'demo');
    for (let start = 0; start < events.length; start += 1000)
      await service.ingest(DEMO_TENANT, events.slice(start, start + 1000), 'demo');
    // (Buyers new to the network join it as customers with their first order: more members by the end.)
    log(
      `demo tenant ready: ${members.length} members at the start, new customers with their first orders; ${events.length} events`,
    );
  }
  // One demo key at a time: the one printed by the last start (each start prints a new one).
  await service.sql.query('update api_keys set revoked_at = now() where tenant_id = $1 and label = $2 and revoked_at is null', [
    DEMO_TENANT,
    DEMO_KEY_LABEL,
  ]);
  forgetCachedKeys();
  const key = await createKey(service.sql, DEMO_TENANT, 'admin', DEMO_KEY_LABEL);
  return { key: key.key, created: !exists };
}

/** The demo's starting network and timeline, generated from a fixed seed. */
export function demoData(now: number): { members: unknown[]; events: unknown[] } {
  const random = new Random(20261127);
  const members: Record<string, unknown>[] = [];
  const leaders: string[] = [];
  const customers: { id: string; parent: string }[] = [];
  PROVINCES.forEach((province, p) => {
    const branch = `B${p + 1}`;
    members.push({ id: branch, role: 'branch', level: 3, regions: [province.code] });
    province.cities.forEach((city, c) => {
      const agency = `A${p + 1}${c + 1}`;
      members.push({ id: agency, role: 'agency', level: 2, parent: branch, regions: [city] });
      for (let l = 0; l < 7; l++) {
        const leader = `L${p + 1}${c + 1}${l + 1}`;
        const district = l === 0 ? province.districts.find((d) => d.startsWith(city)) : undefined;
        members.push({ id: leader, role: 'leader', level: 1, parent: agency, ...(district ? { regions: [district] } : {}) });
        leaders.push(leader);
        for (let k = random.int(3, 8); k > 0; k--) {
          const id = `C${customers.length + 1}`;
          members.push({ id, role: 'customer', parent: leader });
          customers.push({ id, parent: leader });
        }
      }
    });
  });
  return { members, events: demoTimeline(random, now, leaders, customers) };
}

function demoTimeline(random: Random, now: number, leaders: string[], customers: { id: string; parent: string }[]): unknown[] {
  const events: { at: number; event: Record<string, unknown> }[] = [];
  const start = now - 92 * 86_400_000;
  const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  const districts = PROVINCES.flatMap((p) => p.districts);
  for (let n = 1; n <= 2400; n++) {
    const at = start + Math.floor(((n + random.next()) / 2400) * 90 * 86_400_000);
    const buyer = random.chance(0.1) ? { id: `G${n}`, parent: random.pick(leaders) } : random.pick(customers);
    const lines = Array.from({ length: random.int(1, 3) }, (_, i) => {
      const product = random.pick(PRODUCTS);
      const qty = random.int(1, 3);
      return { line: i + 1, sku: product.sku, category: product.category, qty, paid: yuan(product.price * qty) };
    });
    const order = `D${String(n).padStart(5, '0')}`;
    events.push({
      at,
      event: {
        type: 'order.paid',
        order,
        buyer: buyer.id,
        referrer: buyer.parent,
        lines,
        ...(random.chance(0.3) ? { pickupPoint: random.pick(leaders) } : {}),
        ...(random.chance(0.6) ? { region: random.pick(districts) } : {}),
      },
    });
    if (random.chance(0.06)) {
      const line = lines[0]!;
      events.push({
        at: at + 86_400_000,
        event: { type: 'order.refunded', order, refund: `R${order}`, lines: [{ line: 1, qty: line.qty, amount: line.paid }] },
      });
    }
    if (random.chance(0.9)) events.push({ at: at + random.int(2, 5) * 86_400_000, event: { type: 'order.completed', order } });
  }
  for (let month = 1; month <= 2; month++) {
    leaders.slice(0, 12).forEach((leader, i) => {
      events.push({
        at: start + month * 30 * 86_400_000 + i * 3_600_000,
        event: { type: 'withdrawal.requested', withdrawal: `W${month}-${leader}`, member: leader, amount: '50.00' },
      });
    });
  }
  events.push(...demoPayouts(now, leaders));
  // A few mistakes a shop's integration makes, refused by the engine: the console lists them with
  // their error and how to fix them (no random draws here, so the rest of the demo is unchanged).
  const late = now - 2 * 86_400_000;
  events.push(
    {
      at: late,
      event: {
        type: 'order.paid',
        order: 'D-BAD-1',
        buyer: 'C-UNKNOWN',
        referrer: 'L-UNKNOWN',
        lines: [{ line: 1, sku: 'milk-1L', qty: 1, paid: '19.90' }],
      },
    },
    {
      at: late + 60_000,
      event: { type: 'order.refunded', order: 'D00010', refund: 'R-BAD-2', lines: [{ line: 1, qty: 0, amount: '99999.00' }] },
    },
    { at: late + 120_000, event: { type: 'withdrawal.requested', withdrawal: 'W-BAD-3', member: leaders[0], amount: '5.00' } },
  );
  events.push({ at: now - 86_400_000, event: { type: 'tick' } });
  return events
    .filter((e) => e.at < now)
    .sort((a, b) => a.at - b.at)
    .map(({ at, event }) => ({ ...event, at: new Date(at).toISOString() }));
}

/**
 * Last month's larger withdrawals (so that cn-labor withholds tax), one of them rejected early this
 * month (given back with a tax true-up: a correction in this month's tax report), and two manual
 * adjustments with their reason: the statements and the tax report have something to show. No
 * random draws (the rest of the demo is unchanged).
 */
function demoPayouts(now: number, leaders: readonly string[]): { at: number; event: Record<string, unknown> }[] {
  const thisMonth = DateTime.fromMillis(now, { zone: 'Asia/Shanghai' }).startOf('month');
  const lastMonth = thisMonth.minus({ months: 1 });
  const at = (month: DateTime, day: number, hour: number) => month.plus({ days: day - 1, hours: hour }).toMillis();
  const [first, , , fourth, , sixth] = leaders;
  return [
    {
      at: at(lastMonth, 20, 10),
      event: { type: 'withdrawal.requested', withdrawal: `WX-${first}`, member: first, amount: '1500.00' },
    },
    {
      at: at(lastMonth, 21, 10),
      event: { type: 'withdrawal.requested', withdrawal: `WX-${fourth}`, member: fourth, amount: '2500.00' },
    },
    {
      at: at(lastMonth, 25, 15),
      event: {
        type: 'adjustment.posted',
        adjustment: `ADJ-${first}`,
        member: first,
        amount: '66.00',
        reason: '月度团长激励 monthly leader incentive',
      },
    },
    {
      at: at(lastMonth, 26, 11),
      event: {
        type: 'adjustment.posted',
        adjustment: `ADJ-${leaders[2]}`,
        member: leaders[2],
        amount: '-30.00',
        reason: '扣回重复计佣 duplicate commission clawback',
      },
    },
    {
      at: thisMonth.toMillis() - 12 * 3_600_000,
      event: { type: 'withdrawal.requested', withdrawal: `WX-${sixth}`, member: sixth, amount: '1200.00' },
    },
    {
      at: at(thisMonth, 1, 10),
      event: { type: 'withdrawal.rejected', withdrawal: `WX-${sixth}`, note: '收款账户姓名不符 payee name does not match' },
    },
  ];
}
