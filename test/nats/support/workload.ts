import { Engine } from '../../../src/engine/engine.ts';
import { Random } from '../../../src/sim/random.ts';

/** The plan of the generated workloads: three-level distribution and a differential with peers. */
export const WORKLOAD_PLAN = {
  freezeDays: 7,
  templates: [
    { id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%', '2%'], base: 'paid' } },
    {
      id: 'diff',
      template: 'differential',
      params: { rates: { '1': '3%', '2': '6%', '3': '9%' }, peer: { rate: '10%', of: 'award', generations: 1 }, base: 'paid' },
    },
  ],
};

/**
 * A reproducible stream of valid events whose outcome depends on their order: leaders join, then
 * orders are paid (binding unknown buyers), completed and refunded, levels are set and leaders
 * moved. Without `ids`, moves and level changes carry no identity at all, so only the stream offset
 * can keep a redelivered one from applying twice.
 */
export function workload(count: number, seed: number, options: { ids: boolean; start?: string }): Record<string, unknown>[] {
  const random = new Random(seed);
  let clock = Date.parse(options.start ?? '2031-01-01T00:00:00Z');
  const events: Record<string, unknown>[] = [];
  const add = (event: Record<string, unknown>) => {
    clock += 60_000;
    events.push({ ...(options.ids ? { id: `${seed}-${events.length}` } : {}), at: new Date(clock).toISOString(), ...event });
  };
  const leaders: string[] = [];
  const levels = new Map<string, number>();
  const parents = new Map<string, string | null>();
  for (let i = 0; i < 30 && events.length < count; i++) {
    const id = `L${String(i).padStart(3, '0')}`;
    const parent = i === 0 ? null : random.pick(leaders);
    add({ type: 'member.joined', member: { id, role: 'leader', level: 1, parent } });
    leaders.push(id);
    levels.set(id, 1);
    parents.set(id, parent);
  }
  const paid: { order: string; qty: number; amount: string; completed: boolean; refunded: boolean }[] = [];
  while (events.length < count) {
    const r = random.next();
    const open = paid.filter((o) => !o.completed);
    const refundable = paid.filter((o) => !o.refunded);
    if (r < 0.55 || paid.length < 5) {
      const order = `O${events.length}`;
      const qty = random.int(1, 4);
      const amount = `${random.int(1, 500)}.${String(random.int(0, 99)).padStart(2, '0')}`;
      add({
        type: 'order.paid',
        order,
        buyer: `C${random.int(0, 400)}`,
        referrer: random.pick(leaders),
        lines: [{ line: 1, sku: 'sku-1', qty, paid: amount }],
      });
      paid.push({ order, qty, amount, completed: false, refunded: false });
    } else if (r < 0.7 && open.length > 0) {
      const order = random.pick(open);
      order.completed = true;
      add({ type: 'order.completed', order: order.order });
    } else if (r < 0.78 && refundable.length > 0) {
      const order = random.pick(refundable);
      order.refunded = true;
      add({
        type: 'order.refunded',
        order: order.order,
        refund: `R${events.length}`,
        lines: [{ line: 1, qty: order.qty, amount: order.amount }],
      });
    } else if (r < 0.9) {
      // Always a change (setting the current level again would be a no-op, answered duplicate).
      const member = random.pick(leaders);
      const level = (levels.get(member)! % 3) + 1;
      levels.set(member, level);
      add({ type: 'member.level_set', member, level });
    } else {
      // Only under a leader listed earlier (never a cycle), and never to the current parent.
      const k = random.int(2, leaders.length - 1);
      const choices = leaders.slice(0, k).filter((p) => p !== parents.get(leaders[k]!));
      const parent = random.pick(choices);
      parents.set(leaders[k]!, parent);
      add({ type: 'member.moved', member: leaders[k], parent });
    }
  }
  return events;
}

/** A clean in-memory run of the workload (the reference every stored outcome must equal). */
export function runInMemory(events: readonly unknown[]): { engine: Engine; rejected: number } {
  const engine = Engine.create({ timezone: 'Asia/Shanghai', currency: 'CNY', plan: WORKLOAD_PLAN });
  let rejected = 0;
  for (const event of events) if (engine.apply(event).status !== 'applied') rejected += 1;
  return { engine, rejected };
}
