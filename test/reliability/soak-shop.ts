import { Random } from '../../src/sim/random.ts';

/** The soak's plan: three-level distribution and a differential, one day frozen, 劳务报酬 tax withheld. */
export const SOAK_PLAN = {
  freezeDays: 1,
  minWithdrawal: '1.00',
  tax: 'cn-labor',
  templates: [
    { id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%', '2%'], base: 'paid' } },
    {
      id: 'diff',
      template: 'differential',
      params: { rates: { '1': '3%', '2': '6%', '3': '9%' }, peer: { rate: '10%', of: 'award', generations: 1 }, base: 'paid' },
    },
  ],
};

const FIRST_LEADERS = 30;
const MAX_LEADERS = 300;
const BUYERS = 3000;
/** Orders paid and not yet completed kept in memory (the oldest is completed beyond it). */
const MAX_OPEN = 500;
/** Simulated time between two events: awards settle (one day) about 720 events after their order. */
const STEP_MS = 2 * 60_000;

type Event = Record<string, unknown>;

/**
 * An endless, seeded stream of one shop's events with bounded memory: leaders join, buyers'
 * orders are paid, completed or refunded before completion, levels are set and new leaders join.
 * Its clock starts in 2031, ahead of the wall clock, so the scheduler never ticks it and
 * withdrawals stamped by the server take the shop's clock.
 */
export class ShopStream {
  private readonly random: Random;
  private clock = Date.parse('2031-01-01T00:00:00Z');
  private readonly leaders: string[] = [];
  private readonly levels = new Map<string, number>();
  private readonly open: { order: string; qty: number; paid: string }[] = [];
  private count = 0;

  constructor(
    readonly name: string,
    seed: number,
  ) {
    this.random = new Random(seed);
  }

  /** The leaders that joined first (always in the network): the ones withdrawals and reads name. */
  static leader(index: number): string {
    return `L${String(index % FIRST_LEADERS).padStart(3, '0')}`;
  }

  static readonly firstLeaders = FIRST_LEADERS;

  /** The calendar month (UTC) of the stream's clock, YYYY-MM. */
  get month(): string {
    return new Date(this.clock).toISOString().slice(0, 7);
  }

  next(): Event {
    if (this.leaders.length < FIRST_LEADERS) return this.join();
    if (this.open.length >= MAX_OPEN) return this.complete(0);
    const r = this.random.next();
    if (r < 0.6 || this.open.length < 5) return this.pay();
    if (r < 0.82) return this.complete(this.random.int(0, this.open.length - 1));
    if (r < 0.86) return this.refund();
    if (r < 0.93) return this.setLevel();
    if (r < 0.96 && this.leaders.length < MAX_LEADERS) return this.join();
    return this.pay();
  }

  /** A withdrawal request in the stream (NATS), for an amount the member may not have. */
  blindWithdrawal(): Event {
    return this.stamp({
      type: 'withdrawal.requested',
      withdrawal: `${this.name}-bw${this.count}`,
      member: this.random.pick(this.leaders.slice(0, FIRST_LEADERS)),
      amount: `${this.random.int(1, 80)}.00`,
    });
  }

  private stamp(event: Event): Event {
    this.clock += STEP_MS;
    this.count += 1;
    return { id: `${this.name}-${this.count}`, at: new Date(this.clock).toISOString(), ...event };
  }

  private join(): Event {
    const id = `L${String(this.leaders.length).padStart(3, '0')}`;
    const parent = this.leaders.length === 0 ? null : this.random.pick(this.leaders);
    this.leaders.push(id);
    this.levels.set(id, 1);
    return this.stamp({ type: 'member.joined', member: { id, role: 'leader', level: 1, parent } });
  }

  private pay(): Event {
    const order = `O${this.count + 1}`;
    const qty = this.random.int(1, 3);
    const paid = `${this.random.int(10, 300)}.${String(this.random.int(0, 99)).padStart(2, '0')}`;
    this.open.push({ order, qty, paid });
    return this.stamp({
      type: 'order.paid',
      order,
      buyer: `C${this.random.int(0, BUYERS - 1)}`,
      referrer: this.random.pick(this.leaders),
      lines: [{ line: 1, sku: `sku-${this.random.int(1, 20)}`, qty, paid }],
    });
  }

  private complete(index: number): Event {
    const [order] = this.open.splice(index, 1);
    return this.stamp({ type: 'order.completed', order: order!.order });
  }

  private refund(): Event {
    const [order] = this.open.splice(this.random.int(0, this.open.length - 1), 1);
    return this.stamp({
      type: 'order.refunded',
      order: order!.order,
      refund: `R${this.count + 1}`,
      lines: [{ line: 1, qty: order!.qty, amount: order!.paid }],
    });
  }

  private setLevel(): Event {
    const member = this.random.pick(this.leaders);
    const level = (this.levels.get(member)! % 3) + 1;
    this.levels.set(member, level);
    return this.stamp({ type: 'member.level_set', member, level });
  }
}
