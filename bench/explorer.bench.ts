/**
 * `npm run bench:explorer`: the console's network explorer on a tenant of 1,000,000 members.
 * The network comes from the simulator's generator (src/sim/network.ts, seeded, pure preferential
 * attachment so that a few members have 10,000+ direct children) and is imported through the
 * service's own import path (POST /v1/network/import, in chunks) into the real server
 * (`fenyong serve` in a child process, as in production) on PostgreSQL (BENCH_DB=pglite: PGlite). Then
 *   1. the API of the explorer from Node: search by id prefix, a member, its upline, pages of the
 *      downline of the widest member (now and as of an instant), p50/p99 of each;
 *   2. in Chromium (playwright-core): time to first render of the explorer, search as one types
 *      (50 queries), expanding the widest member and scrolling through 10,000 of its children,
 * and writes the "explorer" section of BENCHMARKS.md. Bounded: a few minutes, a heap of ~1.5 GB.
 * BENCH_MEMBERS=100000 tries it smaller (figures printed, BENCHMARKS.md left alone).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  describeNetwork,
  generateNetwork,
  networkParamsSchema,
  startingMembers,
  type SyntheticNetwork,
} from '../src/sim/network.ts';
import { Random } from '../src/sim/random.ts';
import { buildConsoleIfStale, chromiumPresent, CHROMIUM } from '../test/support/browser.ts';
import { POSTGRES_URL } from '../test/support/db.ts';
import { call, operatorSession, PLATFORM_TOKEN, tenantWithNetwork } from '../test/support/network-tenant.ts';
import { explorerTab, expandTimes, loadTimes, scrollThrough, searchAsYouType } from './support/explorer-browser.ts';
import { directoryFigures } from './support/explorer-engine.ts';
import { explorerReport, type Figures } from './support/explorer-report.ts';
import { percentile, writeSection } from './support/report.ts';
import { startBenchServer, type BenchServer } from './support/server-process.ts';

const DEFAULT_MEMBERS = 1_000_000;
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? DEFAULT_MEMBERS);
const SEED = 20260301;
const BACKEND = process.env.BENCH_DB === 'pglite' ? 'pglite' : 'postgres';
/** Network shape: like bench/engine.bench.ts (40 branches, 30 levels, 20% distributors), fan-out by preferential attachment. */
const PARAMS = { members: MEMBERS, roots: 40, maxDepth: 30, distributorShare: 0.2, attachment: 1 };
const IMPORT_CHUNK = 50_000;
const API_CALLS = 200;
const SEARCHES = 50;
const KEY_DELAY_MS = 60;
const SCROLL_TARGET = 10_000;
const CHILDREN_PAGE = 100;
const WARM_RUNS = 10;

const log = (line: string) => process.stderr.write(`[bench:explorer ${(performance.now() / 1000).toFixed(1)} s] ${line}\n`);
const loadAverage = () =>
  existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : '?';

/** The member with the most direct children, and its children's indexes. */
function widest(network: SyntheticNetwork): { index: number; children: number[] } {
  const counts = new Uint32Array(network.size);
  for (let i = 0; i < network.size; i++) if (network.parent[i]! >= 0) counts[network.parent[i]!]! += 1;
  let index = 0;
  for (let i = 1; i < network.size; i++) if (counts[i]! > counts[index]!) index = i;
  const children: number[] = [];
  for (let i = 0; i < network.size; i++) if (network.parent[i] === index) children.push(i);
  return { index, children };
}

/** A PostgreSQL schema of its own, or a PGlite folder (both dropped by the returned function). */
async function database(): Promise<{ url: string; env: NodeJS.ProcessEnv; drop: () => Promise<void> }> {
  if (BACKEND === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'fenyong-explorer-'));
    return { url: '', env: { FENYONG_DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `fy_bench_explorer_${randomBytes(4).toString('hex')}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(text).finally(() => client.end());
  };
  await admin(`create schema ${schema}`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), env: {}, drop: () => admin(`drop schema if exists ${schema} cascade`) };
}

/** Milliseconds of `calls` sequential requests made by `request(i)`. */
async function timed(calls: number, request: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await request(i);
    times.push(performance.now() - started);
  }
  return times;
}

/** The explorer's API calls from Node (no browser in between), each `API_CALLS` times. */
async function apiFigures(
  server: BenchServer,
  key: string,
  network: SyntheticNetwork,
  wide: { index: number; children: number[] },
) {
  const random = new Random(SEED + 1);
  const get = (path: string) => call(server.url, key, 'GET', path);
  const id = (index: number) => network.ids[index]!;
  const wideId = encodeURIComponent(id(wide.index));
  const someone = () => id(random.int(0, network.size - 1));
  const prefix = () => someone().slice(0, random.int(1, 7));
  const firstSearch = await timed(1, () => get('/v1/members?q=m&limit=20'));
  const asOf = encodeURIComponent(new Date().toISOString());
  return {
    firstSearchMs: firstSearch[0]!,
    search: await timed(API_CALLS, () => get(`/v1/members?q=${prefix()}&limit=20`)),
    member: await timed(API_CALLS, () => get(`/v1/members/${someone()}`)),
    upline: await timed(API_CALLS, () => get(`/v1/members/${someone()}/upline`)),
    firstPage: await timed(API_CALLS, () => get(`/v1/members/${wideId}/downline?limit=${CHILDREN_PAGE}`)),
    laterPage: await timed(API_CALLS, () =>
      get(`/v1/members/${wideId}/downline?limit=${CHILDREN_PAGE}&after=${id(random.pick(wide.children))}`),
    ),
    asOfPage: await timed(API_CALLS / 4, () => get(`/v1/members/${wideId}/downline?limit=${CHILDREN_PAGE}&asOf=${asOf}`)),
  };
}

/** First render, search as one types, expanding and scrolling the widest member, in Chromium. */
async function browserFigures(server: BenchServer, key: string, network: SyntheticNetwork, wideId: string) {
  const session = operatorSession(key);
  const member = `/network?member=${encodeURIComponent(wideId)}`;
  log('first render of the explorer (cold and warm)');
  const searchLoad = await loadTimes(server.url, session, '/network', 'network', WARM_RUNS);
  const memberLoad = await loadTimes(server.url, session, member, `network+tree+children:${CHILDREN_PAGE}`, WARM_RUNS);
  const random = new Random(SEED + 2);
  const queries = Array.from({ length: SEARCHES }, () =>
    network.ids[random.int(0, network.size - 1)]!.slice(0, random.int(2, 7)),
  );
  const tab = await explorerTab(server.url, session, member);
  try {
    log(`search as one types: ${SEARCHES} queries`);
    const typing = await searchAsYouType(tab.page, queries, KEY_DELAY_MS);
    log('expanding the widest member, then scrolling through its children');
    await tab.page.goto(`${server.url}${member}`);
    await tab.page.waitForSelector(`.tree-scroll[data-shown="${CHILDREN_PAGE}"]`);
    const expand = await expandTimes(tab.page, 10, CHILDREN_PAGE);
    const scrolling = await scrollThrough(tab.page, SCROLL_TARGET);
    const expandAfterScroll = await expandTimes(tab.page, 3, CHILDREN_PAGE);
    return { searchLoad, memberLoad, typing, expand, scrolling, expandAfterScroll };
  } finally {
    await tab.close();
  }
}

async function main(): Promise<void> {
  if (!chromiumPresent()) throw new Error(`${CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)`);
  const load = loadAverage();
  buildConsoleIfStale();
  log(`generating ${MEMBERS.toLocaleString('en-US')} members`);
  const network = generateNetwork(networkParamsSchema.parse(PARAMS), [], SEED);
  const shape = describeNetwork(network);
  const wide = widest(network);
  const members = startingMembers(network);
  const db = await database();
  const server = await startBenchServer(db.url, PLATFORM_TOKEN, ['--max-old-space-size=4096'], db.env);
  try {
    const started = performance.now();
    const key = await tenantWithNetwork(server, 'million', members, {
      chunk: IMPORT_CHUNK,
      onChunk: (n) => n % 200_000 === 0 && log(`imported ${n.toLocaleString('en-US')}`),
    });
    const importMs = performance.now() - started;
    const rssAfterImport = server.peakRss();
    log(`imported in ${(importMs / 1000).toFixed(1)} s; API calls`);
    const api = await apiFigures(server, key, network, wide);
    log(
      `API: search p99 ${percentile(api.search, 99).toFixed(1)} ms, first page p99 ${percentile(api.firstPage, 99).toFixed(1)} ms`,
    );
    const browser = await browserFigures(server, key, network, network.ids[wide.index]!);
    log('the member directory alone, in this process');
    const random = new Random(SEED + 3);
    const queries = Array.from({ length: 200 }, () => network.ids[random.int(0, network.size - 1)]!.slice(0, random.int(1, 7)));
    const cursors = Array.from({ length: 200 }, () => network.ids[random.pick(wide.children)]!);
    const directory = directoryFigures(members, network.ids[wide.index]!, queries, cursors);
    const figures: Figures = {
      backend: BACKEND,
      load,
      shape,
      wideId: network.ids[wide.index]!,
      wideChildren: wide.children.length,
      importMs,
      rss: { afterImport: rssAfterImport, end: server.peakRss() },
      api,
      browser,
      directory,
      params: {
        chunk: IMPORT_CHUNK,
        searches: SEARCHES,
        keyDelayMs: KEY_DELAY_MS,
        scrollTarget: SCROLL_TARGET,
        page: CHILDREN_PAGE,
        warmRuns: WARM_RUNS,
        apiCalls: API_CALLS,
      },
    };
    const report = explorerReport(figures);
    process.stdout.write(`${report}\n`);
    if (MEMBERS === DEFAULT_MEMBERS) {
      writeSection('explorer', report);
      log('wrote the explorer section of BENCHMARKS.md');
    }
  } finally {
    await server.stop();
    await db.drop();
  }
}

await main();
