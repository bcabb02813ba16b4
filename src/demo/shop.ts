/**
 * `npm run demo:shop`: a tiny shop next to a running fenyong. Over a few seconds it signs up
 * customers through leaders' share links, places orders, completes and refunds some, and prints
 * the awards each order earned, so a newcomer sees commissions appear in the console (概览,
 * 成员, 事件 pages) as they happen.
 *
 *   npm start                      # in one terminal: prints the URL and the demo key
 *   npm run demo:shop              # in another: finds both in .data/server.json
 *   npm run demo:shop -- --url http://127.0.0.1:3000 --key fyk_… --orders 20 --interval 500
 *   npm run demo:shop -- --mapping # the same shop, sending 有赞-style pushes through the cn-mall mapping
 *
 * URL and key: --url/--key, else FENYONG_URL/FENYONG_KEY, else .data/server.json (written by
 * `npm start` when it seeds the demo tenant). The key must be an admin key for --mapping, an
 * ingest or admin key otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient, type FenyongClient, type FenyongEvent } from '../client/index.ts';
import { signPayload } from '../mappings/signature.ts';

export interface DemoShopOptions {
  readonly url: string;
  readonly key: string;
  /** Orders to place (default 12). */
  readonly orders?: number;
  /** Pause between steps (default 800 ms). */
  readonly intervalMs?: number;
  /** Send pushes through the cn-mall mapping (signed webhooks) instead of native events. */
  readonly viaMapping?: boolean;
  readonly log?: (line: string) => void;
  /** Seed of the shop's choices (default: the time). */
  readonly seed?: number;
}

export interface DemoShopReport {
  readonly orders: string[];
  readonly members: string[];
  readonly refunds: number;
  readonly completed: number;
}

const PRODUCTS = [
  { sku: 'milk-1L', title: '鲜牛奶 1L', category: 'dairy', fen: 1990 },
  { sku: 'yogurt-6', title: '酸奶 6 杯', category: 'dairy', fen: 4550 },
  { sku: 'longjing-250g', title: '明前龙井 250g', category: 'tea', fen: 26800 },
  { sku: 'eggs-30', title: '土鸡蛋 30 枚', category: 'fresh', fen: 3290 },
  { sku: 'rice-5kg', title: '五常大米 5kg', category: 'grain', fen: 6990 },
];
const MAPPING = 'demo-shop-mall';

/** A line of an order the shop placed, with its amount in fen for the refund of one unit. */
interface OrderLine {
  readonly line: number;
  readonly sku: string;
  readonly category: string;
  readonly qty: number;
  readonly fen: number;
  readonly paid: string;
}

/** An order the shop placed that is neither completed nor refunded yet. */
interface OpenOrder {
  readonly order: string;
  readonly lines: readonly OrderLine[];
}

type Send = (events: FenyongEvent[]) => Promise<void>;

/** The shop's choices: a small linear congruential generator, so a seed replays the same shop. */
class Choices {
  constructor(private seed: number) {}

  random(): number {
    return (this.seed = (this.seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }
}

export async function runDemoShop(options: DemoShopOptions): Promise<DemoShopReport> {
  const shop = await DemoShop.open(options);
  const count = options.orders ?? 12;
  for (let n = 1; n <= count; n++) {
    await shop.sell(n);
    await sleep(options.intervalMs ?? 800);
  }
  return shop.done();
}

/** A shop selling through a tenant's leaders: its customers, orders, and what it reports. */
class DemoShop {
  private readonly report = { orders: [] as string[], members: [] as string[], refunds: 0, completed: 0 };
  private readonly open: OpenOrder[] = [];

  private constructor(
    private readonly options: DemoShopOptions,
    private readonly client: FenyongClient,
    private readonly log: (line: string) => void,
    private readonly choices: Choices,
    private readonly currency: string,
    /** Names this run's members and orders apart from earlier runs'. */
    private readonly tag: string,
    private readonly clock: Clock,
    private readonly send: Send,
    private readonly leaders: readonly string[],
  ) {}

  /** Connects to the tenant, sets up how events are sent, and finds (or brings) leaders to sell through. */
  static async open(options: DemoShopOptions): Promise<DemoShop> {
    const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
    const client = createClient({ baseUrl: options.url, key: options.key, retry: { retries: 3 } });
    const choices = new Choices(options.seed ?? Date.now());
    const me = await client.ok(client.api.GET('/v1/me', {}));
    log(
      `demo shop → tenant "${me.tenant.id}" at ${options.url}${options.viaMapping ? ` (through the cn-mall mapping "${MAPPING}")` : ''}`,
    );
    // Leaders to sell through: the tenant's own, or two the shop brings.
    const found = await client.ok(client.api.GET('/v1/members', { params: { query: { q: '', limit: 1000 } } }));
    const leaders = found.members
      .filter((m) => m.role !== 'customer')
      .map((m) => m.id)
      .slice(0, 40);
    const tag = Date.now().toString(36);
    // A tenant's events are applied in time order: start after its last one (and not before now).
    const latest = await client.ok(client.api.GET('/v1/events', { params: { query: { sort: 'desc', limit: 1 } } }));
    const clock = new Clock(latest.events[0] ? Date.parse(latest.events[0].at) : 0);
    const send = await sender(client, options, me.tenant.id, log);
    if (leaders.length === 0) leaders.push(...(await bringLeaders(send, clock, tag, log)));
    return new DemoShop(options, client, log, choices, me.tenant.currency, tag, clock, send, leaders);
  }

  /** The n-th sale: a buyer (new every other order) pays an order, then an earlier order is refunded or completed. */
  async sell(n: number): Promise<void> {
    const referrer = this.choices.pick(this.leaders);
    const buyer = await this.buyer(n, referrer);
    const order = `shop-${this.tag}-O${n}`;
    const lines = this.basket();
    await this.send([
      { type: 'order.paid', at: this.clock.next(), order, buyer, referrer, lines: lines.map(({ fen: _fen, ...line }) => line) },
    ]);
    this.report.orders.push(order);
    this.open.push({ order, lines });
    await this.logAwards(order, buyer, lines);
    if (n % 3 === 0 && this.open.length > 1) await this.refundOne(this.open.shift()!);
    else if (n % 2 === 0 && this.open.length > 1) await this.complete(this.open.shift()!.order);
  }

  /** Who buys: a new customer following the referrer's share link (every other order), else an earlier one. */
  private async buyer(n: number, referrer: string): Promise<string> {
    const { members } = this.report;
    // (Picked even when a new customer buys: the seed's later choices stay the same.)
    const earlier = this.choices.pick(members.length > 0 ? members : [`shop-${this.tag}-C0`]);
    if (n % 2 === 0 && members.length > 0) return earlier;
    const buyer = `shop-${this.tag}-C${n}`;
    await this.send([
      { type: 'member.joined', at: this.clock.next(), member: { id: buyer, role: 'customer', parent: referrer } },
    ]);
    members.push(buyer);
    this.log(`👤 ${buyer} signed up through ${referrer}'s share link`);
    return buyer;
  }

  /** One to three lines of one to three units of the shop's products. */
  private basket(): OrderLine[] {
    return Array.from({ length: 1 + Math.floor(this.choices.random() * 3) }, (_, i) => {
      const product = this.choices.pick(PRODUCTS);
      const qty = 1 + Math.floor(this.choices.random() * 3);
      const fen = product.fen * qty;
      return { line: i + 1, sku: product.sku, category: product.category, qty, fen, paid: yuan(fen) };
    });
  }

  private async logAwards(order: string, buyer: string, lines: readonly OrderLine[]): Promise<void> {
    const total = yuan(lines.reduce((sum, line) => sum + line.fen, 0));
    const awards = await this.client.ok(this.client.api.GET('/v1/awards', { params: { query: { order } } }));
    const earned =
      awards.awards.map((a) => `${a.to} ${a.amount} (${a.rule})`).join(', ') || 'no award (no seller for this buyer)';
    this.log(
      `🛒 ${order}: ${buyer} paid ${total} ${this.currency} for ${lines.map((l) => `${l.qty}× ${l.sku}`).join(', ')} → ${earned}`,
    );
  }

  /** The buyer returns one unit of the first line of an earlier order, which then completes. */
  private async refundOne(earlier: OpenOrder): Promise<void> {
    const line = earlier.lines[0]!;
    const amount = yuan(Math.round(Number(line.paid.replace('.', '')) / line.qty));
    await this.send([
      {
        type: 'order.refunded',
        at: this.clock.next(),
        order: earlier.order,
        refund: `${earlier.order}-R1`,
        lines: [{ line: line.line, qty: 1, amount }],
      },
    ]);
    this.report.refunds += 1;
    this.log(`↩️  ${earlier.order}: one ${line.sku} refunded (${amount}): its awards are reversed in proportion`);
    await this.complete(earlier.order);
  }

  private async complete(order: string): Promise<void> {
    await this.send([{ type: 'order.completed', at: this.clock.next(), order }]);
    this.report.completed += 1;
    this.log(`✅ ${order} completed: its awards settle when the plan's freeze days have passed`);
  }

  done(): DemoShopReport {
    const { report } = this;
    this.log(
      `done: ${report.members.length} customers, ${report.orders.length} orders, ${report.completed} completed, ${report.refunds} refunded.`,
    );
    this.log(`open the console (${this.options.url}/) → 事件 Events and 成员 Members (e.g. ${this.leaders[0]}) to see them.`);
    return report;
  }
}

/** Two leaders the shop brings to a tenant that has none, the second below the first. */
async function bringLeaders(send: Send, clock: Clock, tag: string, log: (line: string) => void): Promise<string[]> {
  const leaders = [`shop-${tag}-L1`, `shop-${tag}-L2`];
  await send([
    { type: 'member.joined', at: clock.next(), member: { id: leaders[0]!, role: 'leader', level: 1 } },
    { type: 'member.joined', at: clock.next(), member: { id: leaders[1]!, role: 'leader', level: 1, parent: leaders[0]! } },
  ]);
  log(`  two leaders joined: ${leaders.join(', ')}`);
  return leaders;
}

/** How the shop talks to fenyong: native events with the client, or signed pushes through a mapping. */
async function sender(
  client: FenyongClient,
  options: DemoShopOptions,
  tenant: string,
  log: (line: string) => void,
): Promise<Send> {
  if (!options.viaMapping) {
    return async (events) => {
      const results = await client.send(events);
      for (const [i, result] of results.entries()) {
        if (result.status === 'rejected') log(`  ✗ ${events[i]!.type} refused: ${result.error.code}: ${result.error.message}`);
      }
    };
  }
  const saved = await client.ok(
    client.api.PUT('/v1/mappings/{name}', {
      params: { path: { name: MAPPING } },
      body: { preset: 'cn-mall', signature: { secret: `demo-shop-secret-${tenant}` } },
    }),
  );
  const secret = `demo-shop-secret-${tenant}`;
  log(`  mapping "${MAPPING}" saved: the shop pushes to ${saved.url}, signed with ${saved.signature.header}`);
  return async (events) => {
    for (const event of events) {
      const body = JSON.stringify(toMallPush(event));
      const response = await fetch(`${options.url.replace(/\/+$/, '')}${saved.url}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [saved.signature.header]: signPayload({ ...saved.signature }, secret, body),
        },
        body,
      });
      if (!response.ok) log(`  ✗ push refused (${response.status}): ${await response.text()}`);
    }
  };
}

/** A native event as the cn-mall push a mini-program mall would send (amounts in fen). */
function toMallPush(event: FenyongEvent): Record<string, unknown> {
  const beijing = (at: string) => new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  const fen = (amount: string) => Number(amount.replace('.', ''));
  switch (event.type) {
    case 'member.joined':
      return event.member.role === 'customer'
        ? {
            type: 'scrm_MemberCreated',
            msg: { member_id: event.member.id, from_salesman: event.member.parent ?? undefined, created: beijing(event.at) },
          }
        : {
            type: 'salesman_SalesmanJoined',
            msg: {
              member_id: event.member.id,
              parent_salesman: event.member.parent ?? undefined,
              is_customer: false,
              joined_time: beijing(event.at),
            },
          };
    case 'order.paid':
      return {
        type: 'trade_TradePaid',
        msg: {
          tid: event.order,
          pay_time: beijing(event.at),
          buyer: { member_id: event.buyer },
          salesman: { member_id: event.referrer },
          items: event.lines.map((line) => ({
            oid: line.line,
            outer_sku_id: line.sku,
            category: line.category,
            num: line.qty,
            payment: fen(line.paid),
          })),
        },
      };
    case 'order.completed':
      return { type: 'trade_TradeSuccess', msg: { tid: event.order, success_time: beijing(event.at) } };
    case 'order.refunded':
      return {
        type: 'trade_refund_RefundSuccess',
        msg: {
          tid: event.order,
          refund_id: event.refund,
          refund_time: beijing(event.at),
          refund_items: event.lines.map((l) => ({ oid: l.line, refunded_num: l.qty, refund_fee: fen(l.amount) })),
        },
      };
    default:
      throw new Error(`the demo mall does not push ${event.type}`);
  }
}

/** Strictly increasing instants at whole seconds (mall pushes carry seconds): never before now. */
class Clock {
  constructor(private last: number) {}

  next(): string {
    this.last = Math.max(Math.floor(Date.now() / 1000) * 1000, this.last + 1000);
    return new Date(this.last).toISOString();
  }
}

const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * --url/--key, FENYONG_URL/FENYONG_KEY, or the server.json `npm start` writes beside its PGlite
 * folder (.data/server.json; beside FENYONG_DATA_DIR when that is set, as the server does).
 */
export function connection(
  args: { url?: string | undefined; key?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
  dataDir = dirname(resolve(env.FENYONG_DATA_DIR || join('.data', 'pglite'))),
): { url: string; key: string } {
  const file = join(dataDir, 'server.json');
  const written = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { url?: string; key?: string }) : {};
  const url = args.url ?? env.FENYONG_URL ?? written.url;
  const key = args.key ?? env.FENYONG_KEY ?? written.key;
  if (!url || !key) {
    throw new Error(
      `no fenyong to talk to: start one with \`npm start\` (it writes ${file}), or pass --url and --key (or FENYONG_URL and FENYONG_KEY)`,
    );
  }
  return { url, key };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      orders: { type: 'string' },
      interval: { type: 'string' },
      mapping: { type: 'boolean' },
    },
  });
  try {
    const { url, key } = connection(values);
    await runDemoShop({
      url,
      key,
      ...(values.orders ? { orders: Number(values.orders) } : {}),
      ...(values.interval ? { intervalMs: Number(values.interval) } : {}),
      viaMapping: values.mapping ?? false,
    });
  } catch (error) {
    process.stderr.write(`demo shop: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
