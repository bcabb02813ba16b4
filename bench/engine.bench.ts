/**
 * The engine benchmark (`npm run bench:engine`): the pure engine, in memory, on one tenant with a
 * generated network of 1,000,000 members. It measures
 *   1. the heap the starting network takes once loaded (goal ≤ 400 MB),
 *   2. order lines per second through `applyParsed` (goal ≥ 250,000/s) and through `apply`
 *      (with zod validation, for information), with a plan stacking multi-level, differential +
 *      peer, targeted and team-tier,
 *   3. the team-tier month close over that network (goal ≤ 2 s),
 * and writes its figures into the "engine" section of BENCHMARKS.md.
 *
 * Everything is generated from a seeded PRNG: two runs see the same network and the same orders.
 * Sizes can be scaled down for a quick try (BENCH_MEMBERS=100000 BENCH_ORDERS=20000); figures of
 * a run with other than the default sizes are printed but not written to BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { OrderLineInput, OrderPaid } from '../src/domain/types.ts';
import { formatMoney } from '../src/money/money.ts';
import { Engine } from '../src/engine/engine.ts';
import type { Outcome } from '../src/engine/apply.ts';

// ----- configuration -----------------------------------------------------------------------------

const DEFAULTS = { members: 1_000_000, orders: 200_000 };
const SEED = 20260301;
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? DEFAULTS.members);
/** Orders of the month: a warm-up, then the timed applyParsed run, then the timed apply run. */
const ORDERS = Number(process.env.BENCH_ORDERS ?? DEFAULTS.orders);
const WARMUP_ORDERS = Math.round(ORDERS * 0.1);
const PARSED_ORDERS = Math.round(ORDERS * 0.6);
const RAW_ORDERS = ORDERS - WARMUP_ORDERS - PARSED_ORDERS;
const DISTRIBUTOR_SHARE = 0.2;
const MAX_DEPTH = 30;
const ROOTS = 40;
const SKUS = 500;
const CAMPAIGN_SKUS = 20;
/** A timed apply loop stops after this long, and reports the rate over what it did. */
const PHASE_BUDGET_MS = 60_000;
const STANDARD_RUN = MEMBERS === DEFAULTS.members && ORDERS === DEFAULTS.orders;

const GOALS = { heapMB: 400, linesPerSecond: 250_000, closeMs: 2_000 };
const TIMEZONE = 'Asia/Shanghai';
/** The month the orders are paid in, and the instant its close is due. */
const MONTH_START = Date.parse('2026-03-01T00:00:00+08:00');
const MONTH_END = Date.parse('2026-04-01T00:00:00+08:00');

const PLAN = {
  name: 'bench: multi-level + differential/peer + targeted campaign + monthly team tiers',
  templates: [
    { id: 'ml', template: 'multi-level', params: { rates: ['8%', '4%', '2%'], base: 'paid' } },
    {
      id: 'diff',
      template: 'differential',
      params: { rates: { 1: '5%', 2: '9%', 3: '12%' }, peer: { rate: '10%', of: 'award', generations: 1 }, base: 'paid' },
    },
    {
      id: 'campaign',
      template: 'targeted',
      params: { from: '2026-03-01', to: '2026-04-01', skus: campaignSkus(), rate: '3%', base: 'paid' },
    },
    {
      id: 'team',
      template: 'team-tier',
      params: {
        period: 'month',
        tiers: [
          { min: '1000.00', rate: '1%' },
          { min: '10000.00', rate: '2%' },
          { min: '100000.00', rate: '3%' },
          { min: '1000000.00', rate: '4%' },
        ],
      },
    },
  ],
};

// ----- a tiny seeded PRNG (mulberry32) -----------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(SEED);
/** An integer in [0, n) skewed toward 0: P(index < x·n) = x^(1/power). */
const skewed = (n: number, power: number): number => Math.floor(n * random() ** power);
const pick = (n: number): number => Math.floor(n * random());

// ----- helpers -----------------------------------------------------------------------------------

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with --expose-gc (npm run bench:engine does)');
  process.exit(1);
}

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const int = (value: number): string => Math.round(value).toLocaleString('en-US');
const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const log = (message: string): void => console.log(`[${seconds(performance.now())} s] ${message}`);

const memberId = (index: number): string => `u${String(index).padStart(7, '0')}`;
function campaignSkus(): string[] {
  // Every 7th of the first 140 SKUs: some popular, some not.
  return Array.from({ length: CAMPAIGN_SKUS }, (_, i) => `sku${i * 7}`);
}

// ----- 1. the network ----------------------------------------------------------------------------

interface NetworkShape {
  readonly distributors: number;
  /** Parent index of every member (-1 for a root); distributors first, then customers. */
  readonly parent: Int32Array;
  /** Depth of every distributor (roots 0). */
  readonly depth: Uint8Array;
  readonly level: Uint8Array;
}

/**
 * Distributors form a tree: a few root branches, then each new distributor either deepens the
 * newest line (35%) or joins an earlier distributor chosen with a bias toward the oldest (skewed
 * fan-out: early members recruit many), never deeper than MAX_DEPTH. Customers are bound to
 * distributors drawn by a Zipf-like law over a shuffled order (a few shops bind most buyers).
 */
function generateNetwork(): NetworkShape {
  const distributors = Math.round(MEMBERS * DISTRIBUTOR_SHARE);
  const parent = new Int32Array(MEMBERS).fill(-1);
  const depth = new Uint8Array(distributors);
  const level = new Uint8Array(distributors);
  for (let i = 0; i < distributors; i++) {
    if (i < ROOTS) {
      level[i] = 3;
      continue;
    }
    let p = random() < 0.35 ? i - 1 : skewed(i, 2);
    while (depth[p]! >= MAX_DEPTH - 1) p = parent[p]!;
    parent[i] = p;
    depth[i] = depth[p]! + 1;
    const r = random();
    level[i] = r < 0.03 ? 3 : r < 0.18 ? 2 : 1;
  }
  const shuffled = new Int32Array(distributors);
  for (let i = 0; i < distributors; i++) shuffled[i] = i;
  for (let i = distributors - 1; i > 0; i--) {
    const j = pick(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  for (let i = distributors; i < MEMBERS; i++) parent[i] = shuffled[skewed(distributors, 3)]!;
  return { distributors, parent, depth, level };
}

function describeNetwork(shape: NetworkShape): Record<string, string> {
  const children = new Uint32Array(MEMBERS);
  const distributorChildren = new Uint32Array(shape.distributors);
  for (let i = 0; i < MEMBERS; i++) {
    const p = shape.parent[i]!;
    if (p < 0) continue;
    children[p]! += 1;
    if (i < shape.distributors) distributorChildren[p]! += 1;
  }
  let depthSum = 0;
  let maxDepth = 0;
  const byLevel = [0, 0, 0, 0];
  for (let i = 0; i < shape.distributors; i++) {
    depthSum += shape.depth[i]!;
    maxDepth = Math.max(maxDepth, shape.depth[i]!);
    byLevel[shape.level[i]!]! += 1;
  }
  const sorted = [...children.subarray(0, shape.distributors)].sort((a, b) => b - a);
  const top1 = sorted.slice(0, Math.ceil(shape.distributors / 100)).reduce((sum, n) => sum + n, 0);
  const total = sorted.reduce((sum, n) => sum + n, 0);
  return {
    members: int(MEMBERS),
    distributors: `${int(shape.distributors)} (level 1: ${int(byLevel[1]!)}, 2: ${int(byLevel[2]!)}, 3: ${int(byLevel[3]!)})`,
    customers: int(MEMBERS - shape.distributors),
    roots: int(ROOTS),
    'distributor depth': `max ${maxDepth + 1} levels, mean ${(depthSum / shape.distributors + 1).toFixed(1)}`,
    'fan-out': `max ${int(sorted[0]!)} children (${int(distributorChildren.reduce((max, n) => Math.max(max, n), 0))} distributors), median ${int(sorted[sorted.length >> 1]!)}, top 1% of distributors hold ${((100 * top1) / total).toFixed(0)}% of all children`,
  };
}

function rawMembers(shape: NetworkShape): unknown[] {
  const roles = ['customer', 'leader', 'agency', 'branch'] as const;
  const members: unknown[] = new Array(MEMBERS);
  for (let i = 0; i < MEMBERS; i++) {
    const p = shape.parent[i]!;
    const parent = p < 0 ? null : memberId(p);
    members[i] = i < shape.distributors ? { id: memberId(i), role: roles[shape.level[i]!], level: shape.level[i]!, parent } : { id: memberId(i), role: 'customer', parent };
  }
  return members;
}

// ----- 2. the orders -----------------------------------------------------------------------------

const unitPrice: bigint[] = Array.from({ length: SKUS }, () => BigInt(990 + pick(99_000)));
const LINE_COUNTS = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4];

/** Order `n` of the month, pre-parsed: 1–4 lines, a buyer drawn from the customers (skewed). */
function orderEvent(n: number, shape: NetworkShape): OrderPaid {
  const customers = MEMBERS - shape.distributors;
  const lineCount = LINE_COUNTS[pick(LINE_COUNTS.length)]!;
  const lines: OrderLineInput[] = [];
  const used = new Set<number>();
  for (let line = 1; line <= lineCount; line++) {
    let sku = skewed(SKUS, 2);
    while (used.has(sku)) sku = (sku + 1) % SKUS;
    used.add(sku);
    const qty = 1 + skewed(3, 2);
    lines.push({ line, sku: `sku${sku}`, qty, paid: unitPrice[sku]! * BigInt(qty) });
  }
  return {
    type: 'order.paid',
    // Spread evenly over the month, in time order.
    at: MONTH_START + Math.floor(((n + 0.5) * (MONTH_END - MONTH_START - 3_600_000)) / ORDERS),
    order: `o${n}`,
    buyer: memberId(shape.distributors + skewed(customers, 1.5)),
    lines,
  };
}

/** The same order as a shop would send it: ISO instant, decimal strings. */
function rawOrder(event: OrderPaid): unknown {
  return {
    type: event.type,
    at: new Date(event.at).toISOString(),
    order: event.order,
    buyer: event.buyer,
    lines: event.lines.map((line) => ({ line: line.line, sku: line.sku, qty: line.qty, paid: formatMoney(line.paid, 2) })),
  };
}

// ----- measuring ---------------------------------------------------------------------------------

interface Run {
  readonly orders: number;
  readonly lines: number;
  readonly ms: number;
  /** CPU time of the process over wall time (above 1: GC helper threads used another core). */
  readonly cpuRatio: number;
  readonly awards: number;
  readonly stoppedEarly: boolean;
}

function applyAll<E>(label: string, events: readonly E[], lineCount: (event: E) => number, apply: (event: E) => Outcome): Run {
  let lines = 0;
  let awards = 0;
  const every = Math.max(1, Math.floor(events.length / 8));
  const cpu = process.cpuUsage();
  const start = performance.now();
  let done = 0;
  for (; done < events.length; done++) {
    const event = events[done]!;
    const outcome = apply(event);
    if (outcome.status !== 'applied') throw new Error(`${label}: order ${done} was ${outcome.status}: ${JSON.stringify(outcome, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
    awards += outcome.awards.length;
    lines += lineCount(event);
    if ((done + 1) % every === 0) {
      const elapsed = performance.now() - start;
      log(`  ${label}: ${int(done + 1)} orders, ${int(lines)} lines, ${int((lines / elapsed) * 1000)} lines/s`);
      if (elapsed > PHASE_BUDGET_MS) {
        done++;
        break;
      }
    }
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { orders: done, lines, ms, cpuRatio: (used.user + used.system) / 1000 / ms, awards, stoppedEarly: done < events.length };
}

// ----- the run -----------------------------------------------------------------------------------

log(`engine benchmark: ${int(MEMBERS)} members, ${int(ORDERS)} orders, seed ${SEED}`);
const heapBaseline = heapAfterGc();

log('generating the network…');
let started = performance.now();
const shape = generateNetwork();
const networkFacts = describeNetwork(shape);
for (const [key, value] of Object.entries(networkFacts)) log(`  ${key}: ${value}`);
let members: unknown[] | null = rawMembers(shape);
const generateMs = performance.now() - started;
const heapWithInput = heapAfterGc();
log(`  generated in ${seconds(generateMs)} s; the raw member list takes ${mb(heapWithInput - heapBaseline)} MB of heap`);

log('loading it: Engine.create…');
started = performance.now();
const engine = Engine.create({ timezone: TIMEZONE, currency: 'CNY', plan: PLAN, members });
const loadMs = performance.now() - started;
const heapRightAfterLoad = process.memoryUsage().heapUsed;
members = null;
const heapLoaded = heapAfterGc();
const networkHeap = heapLoaded - heapBaseline;
log(`  loaded in ${seconds(loadMs)} s; heap ${mb(heapRightAfterLoad)} MB right after, network ${mb(networkHeap)} MB after gc (goal ≤ ${GOALS.heapMB} MB)`);

log(`generating ${int(WARMUP_ORDERS + PARSED_ORDERS)} pre-parsed orders…`);
let orderIndex = 0;
const nextOrders = (count: number): OrderPaid[] => Array.from({ length: count }, () => orderEvent(orderIndex++, shape));
let warmup: OrderPaid[] | null = nextOrders(WARMUP_ORDERS);
let parsed: OrderPaid[] | null = nextOrders(PARSED_ORDERS);
const linesOf = (event: OrderPaid): number => event.lines.length;

log(`warm-up: ${int(WARMUP_ORDERS)} orders through applyParsed (also the first event's full level re-check)…`);
const warmupRun = applyAll('warm-up', warmup, linesOf, (event) => engine.applyParsed(event));
warmup = null;
const heapBeforeParsed = heapAfterGc();

log(`timed: ${int(PARSED_ORDERS)} orders through engine.applyParsed…`);
const parsedRun = applyAll('applyParsed', parsed, linesOf, (event) => engine.applyParsed(event));
const parsedLinesPerSecond = (parsedRun.lines / parsedRun.ms) * 1000;
log(`  ${int(parsedLinesPerSecond)} lines/s, ${int((parsedRun.orders / parsedRun.ms) * 1000)} orders/s (goal ≥ ${int(GOALS.linesPerSecond)} lines/s)`);
const meanChain = meanChainLength(parsed.slice(0, parsedRun.orders));
parsed = null;
const heapAfterParsed = heapAfterGc();

log(`generating ${int(RAW_ORDERS)} raw orders (ISO instants, decimal strings)…`);
let raw: { event: unknown; lines: number }[] | null = nextOrders(RAW_ORDERS).map((event) => ({ event: rawOrder(event), lines: event.lines.length }));
log(`timed: ${int(RAW_ORDERS)} orders through engine.apply (zod validation included)…`);
const rawRun = applyAll('apply', raw, (entry) => entry.lines, (entry) => engine.apply(entry.event));
const rawLinesPerSecond = (rawRun.lines / rawRun.ms) * 1000;
log(`  ${int(rawLinesPerSecond)} lines/s, ${int((rawRun.orders / rawRun.ms) * 1000)} orders/s`);
raw = null;
const ordersInMonth = warmupRun.orders + parsedRun.orders + rawRun.orders;
const linesInMonth = warmupRun.lines + parsedRun.lines + rawRun.lines;
const heapBeforeClose = heapAfterGc();

log(`month close: a tick at ${new Date(MONTH_END).toISOString()} closes team-tier for 2026-03 (${int(ordersInMonth)} orders)…`);
started = performance.now();
const close = engine.applyParsed({ type: 'tick', at: MONTH_END });
const closeMs = performance.now() - started;
if (close.status !== 'applied') throw new Error(`the tick was ${close.status}`);
const closeAwards = close.awards.filter((change) => change.cause === 'award');
const closeTotal = closeAwards.reduce((sum, change) => sum + change.delta, 0n);
log(`  ${seconds(closeMs)} s: ${int(closeAwards.length)} team-tier awards, ${formatMoney(closeTotal, 2)} CNY (goal ≤ ${seconds(GOALS.closeMs)} s)`);
const heapEnd = heapAfterGc();

/** Mean length of the chains the orders were paid along (the main cost driver of a chain template). */
function meanChainLength(events: readonly OrderPaid[]): number {
  let sum = 0;
  for (const event of events) sum += engine.state.orders.get(event.order)!.context.chain.length;
  return sum / Math.max(1, events.length);
}

// ----- report ------------------------------------------------------------------------------------

const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');
const runNote = (run: Run): string => (run.stoppedEarly ? ` (stopped after ${seconds(PHASE_BUDGET_MS)} s)` : '');
const results = [
  ['Network loaded (heap after gc, minus the baseline)', `≤ ${GOALS.heapMB} MB`, `${mb(networkHeap)} MB`, verdict(networkHeap <= GOALS.heapMB * 1024 * 1024)],
  ['Order lines/s through `applyParsed` (one thread)', `≥ ${int(GOALS.linesPerSecond)}`, `${int(parsedLinesPerSecond)}`, verdict(parsedLinesPerSecond >= GOALS.linesPerSecond)],
  ['Order lines/s through `apply` (zod validation included)', '—', `${int(rawLinesPerSecond)}`, 'for information'],
  [`Team-tier month close over ${int(MEMBERS)} members`, `≤ ${seconds(GOALS.closeMs)} s`, `${seconds(closeMs)} s`, verdict(closeMs <= GOALS.closeMs)],
];

const details = [
  ['Generate the network (typed arrays + raw member list)', `${seconds(generateMs)} s`],
  ['Raw member list (the input of `Engine.create`)', `${mb(heapWithInput - heapBaseline)} MB of heap`],
  ['`Engine.create` (zod per member, linking, checks)', `${seconds(loadMs)} s; heap ${mb(heapRightAfterLoad)} MB before gc (input still held)`],
  ['Warm-up (not counted)', `${int(warmupRun.orders)} orders, ${int(warmupRun.lines)} lines in ${seconds(warmupRun.ms)} s`],
  [
    '`applyParsed` run',
    `${int(parsedRun.orders)} orders, ${int(parsedRun.lines)} lines in ${seconds(parsedRun.ms)} s${runNote(parsedRun)}: ${int((parsedRun.orders / parsedRun.ms) * 1000)} orders/s, ${int(parsedRun.awards)} award changes; CPU/wall ${parsedRun.cpuRatio.toFixed(2)}`,
  ],
  [
    '`apply` run',
    `${int(rawRun.orders)} orders, ${int(rawRun.lines)} lines in ${seconds(rawRun.ms)} s${runNote(rawRun)}: ${int((rawRun.orders / rawRun.ms) * 1000)} orders/s; CPU/wall ${rawRun.cpuRatio.toFixed(2)}`,
  ],
  ['Mean chain length of an order (seller to root)', meanChain.toFixed(1)],
  ['Heap held per paid order (orders, awards, explanations)', `${int((heapAfterParsed - heapBeforeParsed) / Math.max(1, parsedRun.orders))} bytes`],
  ['Month closed', `${int(ordersInMonth)} orders, ${int(linesInMonth)} lines; ${int(closeAwards.length)} team-tier awards totalling ${formatMoney(closeTotal, 2)} CNY`],
  ['Heap before the close / at the end', `${mb(heapBeforeClose)} MB / ${mb(heapEnd)} MB`],
];

const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

const text = (command: string, args: string[]): string => {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
};
const cpuModel = /^model name\s*:\s*(.*)$/m.exec(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? '?';
const command = `node ${process.execArgv.join(' ')} bench/engine.bench.ts`;

const section = `<!-- bench:engine:begin -->
## Engine (\`bench/engine.bench.ts\`)

The pure engine in memory, one tenant: a generated network of ${int(MEMBERS)} members, a month
of orders paid through it, then the month's team-tier close. Seeded (mulberry32, seed ${SEED}):
every run sees the same network and orders.

- Date: ${text('date', [])}
- Machine: ${text('nproc', [])} CPUs (\`nproc\`), ${cpuModel}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM; Node ${process.version} (${process.platform} ${process.arch})
- Command: \`npm run bench:engine\`, i.e. \`${command}\`

${table(['Goal', 'Target', 'Measured', ''], results)}

Network: ${Object.entries(networkFacts)
  .map(([key, value]) => `${key} ${value}`)
  .join('; ')}. Customers are bound to distributors; orders (1–4 lines, ${SKUS} SKUs) are bought by
customers, spread over 2026-03 (${TIMEZONE}). Plan: multi-level (8% / 4% / 2%), differential
(5% / 9% / 12% by level, peer 10% of the award, one generation), a targeted campaign (3% on
${CAMPAIGN_SKUS} SKUs) and a monthly team-tier (4 tiers), all on the paid amount.

${table(['Detail', 'Figure'], details)}
<!-- bench:engine:end -->`;

console.log('\n' + section + '\n');
if (STANDARD_RUN) {
  const file = join(import.meta.dirname, '..', 'BENCHMARKS.md');
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEach benchmark rewrites its own section; the others stay as they are.\n';
  const pattern = /<!-- bench:engine:begin -->[\s\S]*?<!-- bench:engine:end -->/;
  const after = pattern.test(before) ? before.replace(pattern, () => section) : `${before.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, after);
  log(`wrote ${file}`);
} else {
  log('non-default sizes: BENCHMARKS.md left as it is');
}
