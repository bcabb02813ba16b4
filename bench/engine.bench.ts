/**
 * `npm run bench:engine`: the pure engine, in memory, one tenant with a generated network of
 * 1,000,000 members. It measures
 *   1. the heap the starting network takes once loaded (goal ≤ 400 MB),
 *   2. order lines per second through `applyParsed` (goal ≥ 250,000/s on one core) and, for
 *      information, through `apply` (zod validation included), with a plan stacking multi-level,
 *      differential + peer, a targeted campaign and a monthly team-tier,
 *   3. the team-tier month close over that network (goal ≤ 2 s),
 * and writes its figures into the "engine" section of BENCHMARKS.md.
 *
 * Everything comes from a seeded PRNG: every run sees the same network and the same orders.
 * Bounded: about half a minute, a heap of about 1 GB; each timed loop stops after 60 s anyway.
 * Sizes can be scaled down for a quick try (BENCH_MEMBERS=100000 BENCH_ORDERS=20000); a run with
 * other than the default sizes prints its figures but leaves BENCHMARKS.md alone.
 * BENCH_PROFILE=<dir> writes CPU profiles of the load, the applyParsed run and the close there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import type { OrderLineInput, OrderPaid } from '../src/domain/types.ts';
import type { Outcome } from '../src/engine/apply.ts';
import { Engine } from '../src/engine/engine.ts';
import { formatMoney } from '../src/money/money.ts';
import { profiled } from './support/profile.ts';
import { machineLines, table, writeSection } from './support/report.ts';
import { Random } from '../src/sim/random.ts';

// ----- configuration -----------------------------------------------------------------------------

const DEFAULTS = { members: 1_000_000, orders: 200_000 };
const SEED = 20260301;
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? DEFAULTS.members);
/** The orders of the month: a warm-up, then the timed applyParsed run, then the timed apply run. */
const ORDERS = Number(process.env.BENCH_ORDERS ?? DEFAULTS.orders);
const WARMUP_ORDERS = Math.round(ORDERS * 0.1);
const PARSED_ORDERS = Math.round(ORDERS * 0.6);
const RAW_ORDERS = ORDERS - WARMUP_ORDERS - PARSED_ORDERS;
const STANDARD_RUN = MEMBERS === DEFAULTS.members && ORDERS === DEFAULTS.orders;

const DISTRIBUTOR_SHARE = 0.2;
const MAX_DEPTH = 30;
const ROOTS = 40;
const SKUS = 500;
const CAMPAIGN_SKUS = 20;
/** A timed loop stops after this long and reports the rate over what it did. */
const PHASE_BUDGET_MS = 60_000;

const GOALS = { heapMB: 400, linesPerSecond: 250_000, closeMs: 2_000 };
const TIMEZONE = 'Asia/Shanghai';
/** The month the orders are paid in; its team-tier close is due at its end. */
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
      // Every 7th of the 140 most popular SKUs.
      params: {
        from: '2026-03-01',
        to: '2026-04-01',
        skus: Array.from({ length: CAMPAIGN_SKUS }, (_, i) => `sku${i * 7}`),
        rate: '3%',
        base: 'paid',
      },
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

// ----- the seeded PRNG (mulberry32, src/sim/random.ts) ------------------------------------------

const generator = new Random(SEED);
const random = (): number => generator.next();
/** An integer in [0, n) skewed toward 0: P(index < x·n) = x^(1/power). */
const skewed = (n: number, power: number): number => Math.floor(n * random() ** power);
const pick = (n: number): number => Math.floor(n * random());

// ----- measuring helpers -------------------------------------------------------------------------

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

/** Time the main thread spent in garbage collection so far (ms), as V8 reports it. */
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
/** GC entries arrive asynchronously: let them in before reading `gcMs`. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

/**
 * CPU time of the main thread so far (ms), from /proc. Unlike wall time it leaves out the time
 * other processes of a shared machine hold the core, and the GC's helper threads.
 */
function mainThreadCpuMs(): number {
  const file = `/proc/self/task/${process.pid}/stat`;
  if (!existsSync(file)) return Number.NaN;
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in ticks of 10 ms
}

const loadAverage = (): string =>
  existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : '?';
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const int = (value: number): string => Math.round(value).toLocaleString('en-US');
const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const log = (message: string): void => console.log(`[${seconds(performance.now())} s] ${message}`);
const profileLog = (line: string): void => log(`  ${line}`);

// ----- 1. the network ----------------------------------------------------------------------------

const memberId = (index: number): string => `u${String(index).padStart(7, '0')}`;

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

function describeNetwork(shape: NetworkShape): string[] {
  const children = new Uint32Array(shape.distributors);
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
  const sorted = [...children].sort((a, b) => b - a);
  const top1 = sorted.slice(0, Math.ceil(shape.distributors / 100)).reduce((sum, n) => sum + n, 0);
  const total = sorted.reduce((sum, n) => sum + n, 0);
  return [
    `${int(MEMBERS)} members: ${int(shape.distributors)} distributors (${int(ROOTS)} root branches; levels 1/2/3: ${byLevel.slice(1).map(int).join(' / ')}) and ${int(MEMBERS - shape.distributors)} customers bound to them`,
    `depth up to ${maxDepth + 1} levels (mean ${(depthSum / shape.distributors + 1).toFixed(1)} for a distributor)`,
    `skewed fan-out: the top 1% of distributors have ${((100 * top1) / total).toFixed(0)}% of all children, the largest ${int(sorted[0]!)} (${int(distributorChildren.reduce((max, n) => Math.max(max, n), 0))} distributors at most), the median ${int(sorted[sorted.length >> 1]!)}`,
  ];
}

function rawMembers(shape: NetworkShape): unknown[] {
  const roles = ['customer', 'leader', 'agency', 'branch'] as const;
  const members: unknown[] = new Array(MEMBERS);
  for (let i = 0; i < MEMBERS; i++) {
    const p = shape.parent[i]!;
    const parent = p < 0 ? null : memberId(p);
    members[i] =
      i < shape.distributors
        ? { id: memberId(i), role: roles[shape.level[i]!], level: shape.level[i]!, parent }
        : { id: memberId(i), role: 'customer', parent };
  }
  return members;
}

/**
 * Builds the raw member list and loads it. In a function of its own so that nothing of the input
 * (not even a stale register of this frame) outlives it when the network's heap is measured.
 */
function loadNetwork(shape: NetworkShape, heapBaseline: number) {
  let started = performance.now();
  const members = rawMembers(shape);
  const listMs = performance.now() - started;
  const inputHeap = heapAfterGc() - heapBaseline;
  log(`  the raw member list (${seconds(listMs)} s) takes ${mb(inputHeap)} MB of heap; Engine.create…`);
  started = performance.now();
  const engine = Engine.create({ timezone: TIMEZONE, currency: 'CNY', plan: PLAN, members });
  const loadMs = performance.now() - started;
  return { engine, listMs, inputHeap, loadMs, heapRightAfterLoad: process.memoryUsage().heapUsed };
}

// ----- 2. the orders -----------------------------------------------------------------------------

const unitPrice: bigint[] = Array.from({ length: SKUS }, () => BigInt(990 + pick(99_000)));
const LINE_COUNTS = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4];

/** Order `n` of the month, pre-parsed: 1–4 lines, a buyer drawn from the customers (skewed). */
function orderEvent(n: number, shape: NetworkShape): OrderPaid {
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
    // Spread evenly over the month (but its last hour), in time order.
    at: MONTH_START + Math.floor(((n + 0.5) * (MONTH_END - MONTH_START - 3_600_000)) / ORDERS),
    order: `o${n}`,
    buyer: memberId(shape.distributors + skewed(MEMBERS - shape.distributors, 1.5)),
    // Of its exact length, as the service's reader makes them (src/schema/events.ts).
    lines: lines.slice(),
  };
}

/** The same order as a shop sends it: an ISO instant and decimal strings. */
function rawOrder(event: OrderPaid): unknown {
  return {
    type: event.type,
    at: new Date(event.at).toISOString(),
    order: event.order,
    buyer: event.buyer,
    lines: event.lines.map((line) => ({ line: line.line, sku: line.sku, qty: line.qty, paid: formatMoney(line.paid, 2) })),
  };
}

interface Run {
  readonly orders: number;
  readonly lines: number;
  readonly ms: number;
  /** CPU time of the whole process over wall time (above 1: the GC's helper threads on the other core). */
  readonly cpuRatio: number;
  readonly threadMs: number;
  readonly gcMs: number;
  readonly awardChanges: number;
  readonly stoppedEarly: boolean;
}

/** Applies the events one by one, timed; every one must be applied. */
async function applyAll<E>(
  label: string,
  events: readonly E[],
  lineCount: (event: E) => number,
  apply: (event: E) => Outcome,
): Promise<Run> {
  await settle();
  const every = Math.max(1, Math.floor(events.length / 6));
  let lines = 0;
  let awardChanges = 0;
  let done = 0;
  const gcBefore = gcMs;
  const threadBefore = mainThreadCpuMs();
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (done < events.length) {
    const event = events[done]!;
    const outcome = apply(event);
    if (outcome.status !== 'applied')
      throw new Error(`${label}: event ${done} was ${outcome.status}: ${'error' in outcome ? outcome.error.message : ''}`);
    awardChanges += outcome.awards.length;
    lines += lineCount(event);
    done += 1;
    if (done % every === 0) {
      const elapsed = performance.now() - start;
      log(`  ${label}: ${int(done)} orders, ${int(lines)} lines, ${int((lines / elapsed) * 1000)} lines/s`);
      if (elapsed > PHASE_BUDGET_MS) break;
    }
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const threadMs = mainThreadCpuMs() - threadBefore;
  await settle();
  return {
    orders: done,
    lines,
    ms,
    cpuRatio: (used.user + used.system) / 1000 / ms,
    threadMs,
    gcMs: gcMs - gcBefore,
    awardChanges,
    stoppedEarly: done < events.length,
  };
}

const perSecond = (count: number, ms: number): number => (count / ms) * 1000;

// ----- the run -----------------------------------------------------------------------------------

const startLoad = loadAverage();
log(`engine benchmark: ${int(MEMBERS)} members, ${int(ORDERS)} orders, seed ${SEED}; load average ${startLoad}`);
const heapBaseline = heapAfterGc();

log('generating the network…');
const started = performance.now();
const shape = generateNetwork();
const generateMs = performance.now() - started;
const networkFacts = describeNetwork(shape);
for (const fact of networkFacts) log(`  ${fact}`);

const { engine, listMs, inputHeap, loadMs, heapRightAfterLoad } = await profiled('load', profileLog, () =>
  loadNetwork(shape, heapBaseline),
);
const networkHeap = heapAfterGc() - heapBaseline;
log(
  `  loaded in ${seconds(loadMs)} s (heap ${mb(heapRightAfterLoad)} MB with the input still held); the network takes ${mb(networkHeap)} MB after gc (goal ≤ ${GOALS.heapMB} MB)`,
);

let orderIndex = 0;
const nextOrders = (count: number): OrderPaid[] => Array.from({ length: count }, () => orderEvent(orderIndex++, shape));
const linesOf = (event: OrderPaid): number => event.lines.length;

log(`warm-up: ${int(WARMUP_ORDERS)} orders through applyParsed (the first event also re-checks every member's level)…`);
const warmup = await applyAll('warm-up', nextOrders(WARMUP_ORDERS), linesOf, (event) => engine.applyParsed(event));

log(`timed: ${int(PARSED_ORDERS)} pre-parsed orders through engine.applyParsed…`);
const heapBeforeParsed = heapAfterGc();
let parsedEvents: OrderPaid[] | null = nextOrders(PARSED_ORDERS);
const parsed = await profiled('applyParsed', profileLog, () =>
  applyAll('applyParsed', parsedEvents!, linesOf, (event) => engine.applyParsed(event)),
);
const parsedRate = perSecond(parsed.lines, parsed.ms);
log(
  `  ${int(parsedRate)} lines/s (goal ≥ ${int(GOALS.linesPerSecond)}), ${int(perSecond(parsed.orders, parsed.ms))} orders/s; GC ${int(parsed.gcMs)} ms; ${int(perSecond(parsed.lines, parsed.threadMs))} lines per CPU-second of the main thread`,
);
let chainSum = 0;
for (const event of parsedEvents.slice(0, parsed.orders)) chainSum += engine.state.orders.get(event.order)!.context.chain.length;
const meanChain = chainSum / Math.max(1, parsed.orders);
parsedEvents = null;
const heapPerOrder = (heapAfterGc() - heapBeforeParsed) / Math.max(1, parsed.orders);

log(`timed: ${int(RAW_ORDERS)} raw orders (ISO instants, decimal strings) through engine.apply…`);
const rawEvents = nextOrders(RAW_ORDERS).map((event) => ({ event: rawOrder(event), lines: event.lines.length }));
const raw = await applyAll(
  'apply',
  rawEvents,
  (entry) => entry.lines,
  (entry) => engine.apply(entry.event),
);
const rawRate = perSecond(raw.lines, raw.ms);
log(`  ${int(rawRate)} lines/s, ${int(perSecond(raw.orders, raw.ms))} orders/s`);
rawEvents.length = 0;

const monthOrders = warmup.orders + parsed.orders + raw.orders;
const monthLines = warmup.lines + parsed.lines + raw.lines;
const heapBeforeClose = heapAfterGc();
log(
  `month close: a tick at ${new Date(MONTH_END).toISOString()} runs the team-tier close of 2026-03 (${int(monthOrders)} orders)…`,
);
const { close, closeMs } = await profiled('close', profileLog, () => {
  const start = performance.now();
  const outcome = engine.applyParsed({ type: 'tick', at: MONTH_END });
  return { close: outcome, closeMs: performance.now() - start };
});
if (close.status !== 'applied') throw new Error(`the tick was ${close.status}`);
const teamAwards = close.awards.filter((change) => change.cause === 'award');
const teamTotal = teamAwards.reduce((sum, change) => sum + change.delta, 0n);
log(
  `  ${seconds(closeMs)} s (goal ≤ ${seconds(GOALS.closeMs)} s): ${int(teamAwards.length)} team-tier awards, ${formatMoney(teamTotal, 2)} CNY`,
);
const heapEnd = heapAfterGc();

// ----- report ------------------------------------------------------------------------------------

const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');
const stopped = (run: Run): string => (run.stoppedEarly ? ` (stopped after ${seconds(PHASE_BUDGET_MS)} s)` : '');
const runLine = (run: Run): string =>
  `${int(run.orders)} orders, ${int(run.lines)} lines in ${seconds(run.ms)} s${stopped(run)}: ${int(perSecond(run.orders, run.ms))} orders/s; ` +
  `GC ${int(run.gcMs)} ms; CPU/wall ${run.cpuRatio.toFixed(2)}; ${int(perSecond(run.lines, run.threadMs))} lines per CPU-second of the main thread`;

const body = `
## Engine (\`bench/engine.bench.ts\`)

The pure engine in memory, one tenant: a generated network, a month of orders paid through it,
then the month's team-tier close. Seeded (mulberry32, seed ${SEED}): every run sees the same
network and the same orders.

${machineLines(`npm run bench:engine\`, i.e. \`node ${process.execArgv.join(' ')} bench/engine.bench.ts`)}
- Load average when it started: ${startLoad} (a shared machine: wall-clock figures vary with the load; the CPU time of the main thread varies less)

${table(
  ['Goal', 'Target', 'Measured', ''],
  [
    [
      `Network of ${int(MEMBERS)} members loaded (heap after gc, less the baseline)`,
      `≤ ${GOALS.heapMB} MB`,
      `${mb(networkHeap)} MB`,
      verdict(networkHeap <= GOALS.heapMB * 1024 * 1024),
    ],
    [
      'Order lines/s through `applyParsed`, one thread',
      `≥ ${int(GOALS.linesPerSecond)}`,
      int(parsedRate),
      verdict(parsedRate >= GOALS.linesPerSecond),
    ],
    ['Order lines/s through `apply` (zod validation included)', '—', int(rawRate), 'for information'],
    [
      `Team-tier month close over ${int(MEMBERS)} members (${int(monthOrders)} orders)`,
      `≤ ${seconds(GOALS.closeMs)} s`,
      `${seconds(closeMs)} s`,
      verdict(closeMs <= GOALS.closeMs),
    ],
  ],
)}

- Network: ${networkFacts.join('; ')}.
- Orders: 1–4 lines (mean ${(monthLines / monthOrders).toFixed(2)}) of ${SKUS} SKUs (skewed), bought by customers (skewed), spread
  over 2026-03 in ${TIMEZONE}; a chain from seller to root has ${meanChain.toFixed(1)} members on average.
- Plan: multi-level 8% / 4% / 2%; differential 5% / 9% / 12% by level with a 10% peer bonus (of the
  award, one generation); a targeted campaign, 3% on ${CAMPAIGN_SKUS} SKUs; a monthly team-tier in 4 tiers.

${table(
  ['Step', 'Figures'],
  [
    [
      'Generate the network, then its raw member list',
      `${seconds(generateMs)} s + ${seconds(listMs)} s; the list takes ${mb(inputHeap)} MB of heap`,
    ],
    [
      '`Engine.create` (zod per member, linking, checks)',
      `${seconds(loadMs)} s; heap ${mb(heapRightAfterLoad)} MB with the input still held`,
    ],
    ['Warm-up through `applyParsed` (not counted)', runLine(warmup)],
    ['Timed, `applyParsed`', `${runLine(parsed)}; ${int(parsed.awardChanges)} award changes`],
    ['Timed, `apply`', runLine(raw)],
    ['Heap kept per paid order (the event, the order, its awards and their history)', `${int(heapPerOrder)} bytes`],
    ['Month close', `${int(teamAwards.length)} team-tier awards, ${formatMoney(teamTotal, 2)} CNY, in ${seconds(closeMs)} s`],
    ['Heap before the close / at the end', `${mb(heapBeforeClose)} MB / ${mb(heapEnd)} MB`],
  ],
)}
`;

console.log(body);
if (STANDARD_RUN) {
  writeSection('engine', body);
  log('wrote the engine section of BENCHMARKS.md');
} else {
  log('other than the default sizes: BENCHMARKS.md left as it is');
}
