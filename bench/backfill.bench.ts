/**
 * `npm run bench:backfill`: a tenant's history sent to a running fenyong on PostgreSQL with
 * `fenyong backfill` (src/client/backfill.ts), as a merchant connecting an existing shop would:
 *  - a generated network of 100,000 members (JSON lines), imported in chunks, parents first;
 *  - 1,000,000 historical orders over a year (JSON lines, in time order): each paid, most of them
 *    completed a few days later (their awards settle as time passes), a few partly refunded.
 * The server is `fenyong serve` in a child process (its own CPU, as in production) on a scratch
 * schema of DATABASE_URL (default the local `test` database); the backfill runs in this process
 * over HTTP. Goal: done in ≤ 5 minutes, with progress. Writes the "backfill" section of
 * BENCHMARKS.md. Bounded: the backfill stops after BACKFILL_TIMEOUT_S (default 1200 s) and the
 * section then reports how far it got and the rate.
 *
 * Knobs (for a quick try): BACKFILL_ORDERS (default 1000000), BACKFILL_MEMBERS (default 100000);
 * BACKFILL_SERVER_NODE_ARGS adds node flags to the server (e.g. `--cpu-prof --cpu-prof-dir=tmp/prof`).
 */
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { backfill, type BackfillReport } from '../src/client/backfill.ts';
import { Random } from '../src/sim/random.ts';
import { machineLines, table, writeSection } from './support/report.ts';
import { processCpuSeconds, startBenchServer, type BenchServer } from './support/server-process.ts';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'bench_backfill';
const ORDERS = Number(process.env.BACKFILL_ORDERS ?? 1_000_000);
const MEMBERS = Number(process.env.BACKFILL_MEMBERS ?? 100_000);
const TIMEOUT_S = Number(process.env.BACKFILL_TIMEOUT_S ?? 1200);
const GOAL_S = 300;
const DISTRIBUTOR_SHARE = 0.2;
const PLATFORM_TOKEN = 'fyp_bench-backfill';
const APP_NAME = 'fenyong-bench-backfill';
const log = (line: string) => process.stderr.write(`[bench:backfill] ${line}\n`);

const plan = {
  name: 'backfill benchmark',
  freezeDays: 7,
  templates: [
    { id: 'ml', template: 'multi-level', params: { rates: ['8%', '4%'] } },
    {
      id: 'diff',
      template: 'differential',
      params: { rates: { 1: '3%', 2: '6%', 3: '9%' }, peer: { rate: '10%', generations: 1 } },
    },
    { id: 'promo', template: 'targeted', params: { from: '2025-01-01', to: '2026-01-01', categories: ['tea'], rate: '2%' } },
  ],
};

const PRODUCTS = Array.from({ length: 200 }, (_, i) => ({
  sku: `sku-${i}`,
  category: i % 5 === 0 ? 'tea' : 'daily',
  fen: 990 + ((i * 7919) % 30_000),
}));

interface Generated {
  readonly network: string;
  readonly orders: string;
  readonly events: number;
  readonly completed: number;
  readonly refunded: number;
  readonly lines: number;
  readonly distributors: number;
  readonly networkBytes: number;
  readonly ordersBytes: number;
  readonly ms: number;
}

/** Writes the network and the year of orders as JSON lines (seeded: the same files every run). */
async function generate(dir: string): Promise<Generated> {
  const started = Date.now();
  const random = new Random(20250101);
  const distributors = Math.round(MEMBERS * DISTRIBUTOR_SHARE);
  const network = join(dir, 'network.jsonl');
  const orders = join(dir, 'orders.jsonl');
  await writeLines(network, function* () {
    for (let i = 0; i < distributors; i++) {
      const root = i < 20;
      const parent = root ? undefined : `D${random.int(Math.floor(i * 0.5), i - 1)}`;
      const level = root ? 3 : random.chance(0.05) ? 3 : random.chance(0.2) ? 2 : 1;
      yield JSON.stringify({ id: `D${i}`, role: root ? 'branch' : 'leader', level, ...(parent ? { parent } : {}) });
    }
    for (let i = 0; i < MEMBERS - distributors; i++)
      yield JSON.stringify({ id: `C${i}`, role: 'customer', parent: `D${random.int(20, distributors - 1)}` });
  });
  // Orders over 2025 in Asia/Shanghai; completion 2–6 days after payment, refunds a day after.
  const start = Date.parse('2025-01-01T00:00:00+08:00');
  const span = Date.parse('2025-12-20T00:00:00+08:00') - start;
  const customers = MEMBERS - distributors;
  const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  let events = 0;
  let completed = 0;
  let refunded = 0;
  let lineCount = 0;
  await writeLines(orders, function* () {
    // Follow-ups (completions, refunds) wait in a time-ordered queue and are written when due.
    const later: { at: number; text: string }[] = [];
    let head = 0;
    for (let n = 0; n < ORDERS; n++) {
      const at = start + Math.floor((n / ORDERS) * span) + random.int(0, 999);
      while (head < later.length && later[head]!.at <= at) {
        events += 1;
        yield later[head++]!.text;
      }
      if (head > 100_000) {
        later.splice(0, head);
        head = 0;
      }
      const lines = Array.from({ length: random.int(1, 3) }, (_, i) => {
        const product = PRODUCTS[Math.floor(random.next() ** 2 * PRODUCTS.length)]!;
        const qty = random.int(1, 3);
        return { line: i + 1, sku: product.sku, category: product.category, qty, paid: yuan(product.fen * qty) };
      });
      lineCount += lines.length;
      const order = `H${n}`;
      events += 1;
      yield JSON.stringify({
        type: 'order.paid',
        at: new Date(at).toISOString(),
        order,
        buyer: `C${random.int(0, customers - 1)}`,
        lines,
      });
      const followUps: { at: number; text: string }[] = [];
      if (random.chance(0.03)) {
        const line = lines[0]!;
        refunded += 1;
        followUps.push({
          at: at + 86_400_000,
          text: JSON.stringify({
            type: 'order.refunded',
            at: new Date(at + 86_400_000).toISOString(),
            order,
            refund: `R${n}`,
            lines: [{ line: 1, qty: 1, amount: yuan(Math.round(Number(line.paid.replace('.', '')) / line.qty)) }],
          }),
        });
      }
      if (random.chance(0.9)) {
        const done = at + random.int(2, 6) * 86_400_000;
        completed += 1;
        followUps.push({ at: done, text: JSON.stringify({ type: 'order.completed', at: new Date(done).toISOString(), order }) });
      }
      for (const item of followUps) {
        // Insert in time order (follow-ups are near the end of the queue).
        let i = later.length;
        while (i > head && later[i - 1]!.at > item.at) i--;
        later.splice(i, 0, item);
      }
    }
    while (head < later.length) {
      events += 1;
      yield later[head++]!.text;
    }
  });
  return {
    network,
    orders,
    events,
    completed,
    refunded,
    lines: lineCount,
    distributors,
    networkBytes: statSync(network).size,
    ordersBytes: statSync(orders).size,
    ms: Date.now() - started,
  };
}

async function writeLines(file: string, lines: () => Generator<string>): Promise<void> {
  const out = createWriteStream(file);
  let buffer: string[] = [];
  for (const line of lines()) {
    buffer.push(line);
    if (buffer.length >= 10_000) {
      if (!out.write(buffer.join('\n') + '\n')) await once(out, 'drain');
      buffer = [];
    }
  }
  if (buffer.length > 0) out.write(buffer.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
}

/** `fenyong serve` on the scratch schema, in a child process, with a scheduler that ticks (it settles what fell due). */
function startServer(databaseUrl: string): Promise<BenchServer> {
  const nodeArgs = (process.env.BACKFILL_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof
  return startBenchServer(databaseUrl, PLATFORM_TOKEN, nodeArgs, {
    FENYONG_TICK_SECONDS: '5',
    // Generated workloads run months or years ahead of the real clock.
    FENYONG_MAX_AHEAD_DAYS: 'off',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=12288`.trim(),
  });
}

/** CPU seconds of the server process and of its PostgreSQL backends (sampled: backends come and go). */
class CpuSampler {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private serverFirst: number | null = null;
  private serverLast = 0;

  constructor(
    private readonly admin: pg.Client,
    private readonly serverPid: number,
  ) {}

  async sample(): Promise<void> {
    const initial = this.serverFirst === null;
    this.serverLast = processCpuSeconds(this.serverPid) || this.serverLast;
    this.serverFirst ??= this.serverLast;
    const rows = (
      await this.admin.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [APP_NAME])
    ).rows;
    for (const { pid } of rows) {
      const seconds = processCpuSeconds(pid);
      // A backend there at the start counts from then on; one opened later, all of it.
      if (!this.first.has(pid)) this.first.set(pid, initial ? seconds : 0);
      if (seconds > 0) this.last.set(pid, seconds);
    }
  }

  used(): { server: number; postgres: number } {
    let postgres = 0;
    for (const [pid, seconds] of this.last) postgres += seconds - (this.first.get(pid) ?? 0);
    return { server: this.serverLast - (this.serverFirst ?? 0), postgres };
  }
}

async function main(): Promise<void> {
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
  const databaseUrl = `${BASE_URL}${BASE_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${SCHEMA}`;
  const dir = mkdtempSync(join(tmpdir(), 'fy-bench-backfill-'));
  let server: BenchServer | null = null;
  const stop = new AbortController();
  const cleanup = () => {
    server?.child.kill('SIGKILL');
    void admin.query(`drop schema if exists ${SCHEMA} cascade`).finally(() => process.exit(130));
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', cleanup);
  process.once('SIGTERM', cleanup);
  try {
    log(`generating ${MEMBERS.toLocaleString('en-US')} members and ${ORDERS.toLocaleString('en-US')} orders…`);
    const data = await generate(dir);
    log(
      `${data.events.toLocaleString('en-US')} events (${(data.ordersBytes / 1e6).toFixed(0)} MB) in ${(data.ms / 1000).toFixed(1)} s`,
    );
    server = await startServer(`${databaseUrl}&application_name=${APP_NAME}`);
    log(`fenyong serve at ${server.url} (PostgreSQL, schema ${SCHEMA})`);
    const created = await fetch(`${server.url}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PLATFORM_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'history',
        name: 'Backfill benchmark',
        timezone: 'Asia/Shanghai',
        currency: 'CNY',
        plan,
        allowRefused: true,
      }),
    });
    if (created.status !== 201) throw new Error(`creating the tenant: ${created.status} ${await created.text()}`);
    const { adminKey } = (await created.json()) as { adminKey: string };

    const progress: { at: number; line: string }[] = [];
    const cpu = new CpuSampler(admin, server.child.pid!);
    await cpu.sample();
    const sampling = setInterval(() => void cpu.sample(), 2000);
    const clientCpu = process.cpuUsage();
    const started = Date.now();
    const timer = setTimeout(() => {
      log(`stopping: ${TIMEOUT_S} s have passed`);
      stop.abort();
    }, TIMEOUT_S * 1000);
    timer.unref();
    const report: BackfillReport = await backfill({
      url: server.url,
      key: adminKey,
      network: data.network,
      orders: data.orders,
      progressEveryMs: 5000,
      signal: stop.signal,
      log: (line) => {
        progress.push({ at: Date.now() - started, line });
        log(line);
      },
    });
    const totalMs = Date.now() - started;
    clearInterval(sampling);
    await cpu.sample();
    const used = cpu.used();
    const clientUsed = process.cpuUsage(clientCpu);
    const clientSeconds = (clientUsed.user + clientUsed.system) / 1e6;
    const loadAtEnd = loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    const peakRss = server.peakRss();
    const counts = (
      await admin.query<{ events: string; postings: string; awards: string; settled: string }>(
        `select (select count(*) from ${SCHEMA}.events where tenant_id = 'history')::text as events,
              (select count(*) from ${SCHEMA}.postings where tenant_id = 'history')::text as postings,
              (select count(*) from ${SCHEMA}.awards where tenant_id = 'history')::text as awards,
              (select count(*) from ${SCHEMA}.awards where tenant_id = 'history' and status = 'settled')::text as settled`,
      )
    ).rows[0]!;
    log(`done in ${(totalMs / 1000).toFixed(1)} s: ${JSON.stringify(report)} ${JSON.stringify(counts)}`);
    const reads = await readBack(admin, server.url, adminKey);
    const fmt = (n: number | string) => Number(n).toLocaleString('en-US');
    clearTimeout(timer);
    // (Only the full run can meet the goal: BACKFILL_ORDERS and BACKFILL_MEMBERS make quick tries.)
    const full = ORDERS >= 1_000_000 && MEMBERS >= 100_000;
    const met = full && !report.stopped && totalMs <= GOAL_S * 1000 && report.rejected === 0;
    const rate = report.events / (report.eventsMs / 1000);
    const measured = report.stopped
      ? `stopped after ${(totalMs / 1000).toFixed(0)} s at ${fmt(report.events)} of ${fmt(data.events)} events (${((100 * report.events) / data.events).toFixed(0)}%); at that rate about ${((report.networkMs / 1000 + data.events / rate) / 60).toFixed(1)} min`
      : `${(totalMs / 1000).toFixed(1)} s`;
    const sampled = progress
      .filter((p) => p.line.startsWith('events '))
      .filter((_, i, all) => i % Math.max(1, Math.ceil(all.length / 8)) === 0 || i === all.length - 1);
    writeSection(
      'backfill',
      [
        '## Backfill (`bench/backfill.bench.ts`)',
        '',
        'A merchant connecting an existing shop sends its history with `fenyong backfill` to a running',
        '`fenyong serve` (a child process, with the node flags of `npm start`) on PostgreSQL: a generated network imported in chunks of',
        '20,000 members (parents first), then a year of orders as JSON lines, in requests of up to 100,000 events',
        "to `POST /v1/backfill/events`, one after the other (a tenant's events are applied in time order; the client",
        'reads the next request from the file while the server applies the last);',
        'the server applies each request in transactions of 2,500 events, the engine working on the next',
        'chunk while PostgreSQL writes the last ones (two transactions overlap: a chunk inserts its new rows',
        'while the one before commits). The scheduler is held off the tenant meanwhile',
        '(`POST /v1/backfill/hold`). Seeded: every run sends the same files.',
        '',
        machineLines('npm run bench:backfill'),
        `- Load average at the start / at the end: ${load} / ${loadAtEnd} (a shared machine: wall-clock figures vary with the load; CPU seconds per event vary less)`,
        '',
        table(
          ['Goal', 'Target', 'Measured', ''],
          [
            [
              `Backfill of ${fmt(ORDERS)} orders with a ${fmt(MEMBERS)}-member network, with progress`,
              `≤ ${GOAL_S / 60} min`,
              measured,
              met ? 'met' : '**missed**',
            ],
          ],
        ),
        '',
        table(
          ['Step', 'Figures'],
          [
            [
              'Input',
              `${fmt(MEMBERS)} members (${fmt(data.distributors)} distributors, ${fmt(MEMBERS - data.distributors)} customers), ${(data.networkBytes / 1e6).toFixed(1)} MB; ${fmt(data.events)} events (${fmt(ORDERS)} orders paid with ${fmt(data.lines)} lines, ${fmt(data.completed)} completed, ${fmt(data.refunded)} partly refunded), ${(data.ordersBytes / 1e6).toFixed(0)} MB; generated in ${(data.ms / 1000).toFixed(1)} s (not counted)`,
            ],
            ['Network import', `${fmt(report.members)} members in ${(report.networkMs / 1000).toFixed(1)} s`],
            [
              'Events',
              `${fmt(report.events)} in ${(report.eventsMs / 1000).toFixed(1)} s: ${fmt(Math.round(rate))} events/s; ${fmt(report.accepted)} accepted, ${fmt(report.duplicate)} duplicate, ${fmt(report.rejected)} rejected`,
            ],
            [
              'Stored',
              `${fmt(counts.events)} log entries, ${fmt(counts.postings)} postings, ${fmt(counts.awards)} awards (${fmt(counts.settled)} settled)`,
            ],
            [
              'CPU',
              `server process ${used.server.toFixed(0)} s, its PostgreSQL backends ${used.postgres.toFixed(0)} s (WAL writer and checkpointer not counted), the client (\`fenyong backfill\` in the benchmark's process) ${clientSeconds.toFixed(0)} s: per 1,000 events ${((1000 * used.server) / Math.max(1, report.events)).toFixed(3)} s, ${((1000 * used.postgres) / Math.max(1, report.events)).toFixed(3)} s and ${((1000 * clientSeconds) / Math.max(1, report.events)).toFixed(3)} s`,
            ],
            ['Server', `peak RSS ${(peakRss / 2 ** 30).toFixed(2)} GiB (the tenant's engine holds its whole history in memory)`],
            ['Reading back', reads],
          ],
        ),
        '',
        'Each event writes its log entry, about 13 postings (an award is a pair, at payment and again at',
        'settlement) and 3 to 4 award rows (a new row at payment, its status at settlement); the log,',
        'postings and new awards go in with COPY. Explanations are not stored: the engine recomputes them',
        'when asked. With 2 cores shared by the client, the server and PostgreSQL (and, on this machine,',
        'other work), the wall-clock rate follows the load; the CPU row is the work itself.',
        '',
        'Progress as `fenyong backfill` printed it (every 5 s here, every second by default):',
        '',
        '```',
        ...sampled.map((p) => `${(p.at / 1000).toFixed(0).padStart(4)} s  ${p.line}`),
        '```',
      ].join('\n'),
    );
    log(`wrote the backfill section of BENCHMARKS.md (${met ? 'goal met' : 'goal missed'})`);
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    // (BACKFILL_KEEP=1 leaves the schema for a look at what was written; the next run drops it.)
    if (process.env.BACKFILL_KEEP !== '1') await admin.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin.end();
  }
}

/**
 * Reading awards back afterwards, as a shop does: polling what the last 2,000 events changed
 * (`GET /v1/awards?after=`, pages of 1,000), and for comparison a first page of the plain listing
 * (which orders every award of the tenant).
 */
async function readBack(admin: pg.Client, url: string, key: string): Promise<string> {
  const get = async (query: string) => {
    const t0 = performance.now();
    const response = await fetch(`${url}/v1/awards?${query}`, { headers: { authorization: `Bearer ${key}` } });
    if (response.status !== 200) throw new Error(`GET /v1/awards?${query}: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { awards: unknown[]; cursor: string };
    return { ...body, ms: performance.now() - t0 };
  };
  const from = (
    await admin.query<{ journal: string }>(
      `with last as (select max(seq) - 2000 as seq from ${SCHEMA}.events where tenant_id = 'history')
       select (select min(journal) from ${SCHEMA}.postings where tenant_id = 'history' and event_seq > (select seq from last))::text as journal`,
    )
  ).rows[0]!;
  let cursor = Buffer.from(`c3:${from.journal}:-`).toString('base64url');
  let awards = 0;
  const pages: number[] = [];
  for (let page = 0; page < 100; page++) {
    const reply = await get(`limit=1000&includeZero=true&after=${cursor}`);
    pages.push(reply.ms);
    if (reply.awards.length === 0 && reply.cursor === cursor) break;
    awards += reply.awards.length;
    cursor = reply.cursor;
  }
  const listing = await get('limit=500');
  const total = pages.reduce((sum, ms) => sum + ms, 0);
  return `polling the changes of the last 2,000 events: ${awards.toLocaleString('en-US')} awards in ${pages.length} requests, ${total.toFixed(0)} ms in all (the slowest ${Math.max(...pages).toFixed(0)} ms); a first page of the plain listing (500 of all awards, in change order): ${listing.ms.toFixed(0)} ms`;
}

await main();
