import type { describeNetwork } from '../../src/sim/network.ts';
import type { Load, Scrolling, Typing } from './explorer-browser.ts';
import { us, type DirectoryFigures } from './explorer-engine.ts';
import { machineLines, percentile, table } from './report.ts';

/** What bench/explorer.bench.ts measured, for its section of BENCHMARKS.md. */
export interface Figures {
  readonly backend: 'postgres' | 'pglite';
  readonly load: string;
  readonly shape: ReturnType<typeof describeNetwork>;
  readonly wideId: string;
  readonly wideChildren: number;
  readonly importMs: number;
  /** Peak resident set size of the server process (bytes): after the import, at the end. */
  readonly rss: { readonly afterImport: number; readonly end: number };
  readonly api: Readonly<Record<'search' | 'member' | 'upline' | 'firstPage' | 'laterPage' | 'asOfPage', number[]>> & {
    readonly firstSearchMs: number;
  };
  readonly browser: {
    readonly searchLoad: Load;
    readonly memberLoad: Load;
    readonly typing: Typing;
    readonly expand: number[];
    readonly scrolling: Scrolling;
    readonly expandAfterScroll: number[];
  };
  readonly directory: DirectoryFigures;
  readonly params: {
    chunk: number;
    searches: number;
    keyDelayMs: number;
    scrollTarget: number;
    page: number;
    warmRuns: number;
    apiCalls: number;
  };
}

/** The targets the explorer is held to ("stays responsive", issue 6), set before measuring. */
export const TARGETS = { coldMs: 1000, warmMs: 500, interactionP99Ms: 500, apiP99Ms: 50, longTaskMs: 200 };

const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2).toLocaleString('en-US')} MB`;
const int = (value: number) => Math.round(value).toLocaleString('en-US');
const p = (values: readonly number[], q: number) => percentile(values, q);
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
const maxOf = (values: readonly number[]) => values.reduce((max, v) => Math.max(max, v), 0);

function goals(f: Figures): string[][] {
  const { browser: b, api } = f;
  const apiWorst = Math.max(
    ...(['search', 'member', 'upline', 'firstPage', 'laterPage', 'asOfPage'] as const).map((k) => p(api[k], 99)),
  );
  return [
    [
      `First render: the widest member and its first ${f.params.page} children, cold (median of 3) / warm median`,
      `≤ ${TARGETS.coldMs} / ${TARGETS.warmMs} ms`,
      `${ms(b.memberLoad.cold)} / ${ms(b.memberLoad.warmMedian)}`,
      verdict(b.memberLoad.cold <= TARGETS.coldMs && b.memberLoad.warmMedian <= TARGETS.warmMs),
    ],
    [
      `First render: search with the count of all ${int(f.shape.members)} members, cold (median of 3) / warm median`,
      `≤ ${TARGETS.coldMs} / ${TARGETS.warmMs} ms`,
      `${ms(b.searchLoad.cold)} / ${ms(b.searchLoad.warmMedian)}`,
      verdict(b.searchLoad.cold <= TARGETS.coldMs && b.searchLoad.warmMedian <= TARGETS.warmMs),
    ],
    [
      `Search as one types: last keystroke → its results on screen, p50 / p99 of ${b.typing.latencies.length}`,
      `p99 ≤ ${TARGETS.interactionP99Ms} ms`,
      `${ms(p(b.typing.latencies, 50))} / ${ms(p(b.typing.latencies, 99))}`,
      verdict(p(b.typing.latencies, 99) <= TARGETS.interactionP99Ms),
    ],
    [
      `Expand the member with ${int(f.wideChildren)} children: click → first ${f.params.page} on screen, p50 / p99 of ${b.expand.length}`,
      `p99 ≤ ${TARGETS.interactionP99Ms} ms`,
      `${ms(p(b.expand, 50))} / ${ms(p(b.expand, 99))}`,
      verdict(p(b.expand, 99) <= TARGETS.interactionP99Ms),
    ],
    [
      `Scroll to the end → next ${f.params.page} children on screen, p50 / p99 of ${b.scrolling.pages.length} pages`,
      `p99 ≤ ${TARGETS.interactionP99Ms} ms`,
      `${ms(p(b.scrolling.pages, 50))} / ${ms(p(b.scrolling.pages, 99))}`,
      verdict(p(b.scrolling.pages, 99) <= TARGETS.interactionP99Ms),
    ],
    [
      `Longest main-thread task while scrolling through ${int(b.scrolling.shown)} children`,
      `≤ ${TARGETS.longTaskMs} ms`,
      b.scrolling.longTasks.length ? ms(maxOf(b.scrolling.longTasks)) : 'none ≥ 50 ms',
      verdict(maxOf(b.scrolling.longTasks) <= TARGETS.longTaskMs),
    ],
    [
      'API p99, the worst of the calls below (from Node)',
      `≤ ${TARGETS.apiP99Ms} ms`,
      ms(apiWorst),
      verdict(apiWorst <= TARGETS.apiP99Ms),
    ],
  ];
}

function apiRows(f: Figures): string[][] {
  const { api, params } = f;
  const w = f.wideId;
  const row = (what: string, values: readonly number[]) => [
    what,
    String(values.length),
    ms(p(values, 50)),
    ms(p(values, 99)),
    ms(maxOf(values)),
  ];
  return [
    row('`GET /v1/members?q=<1–7 characters of an id>&limit=20` (matches counted)', api.search),
    row('`GET /v1/members/:id` (a random member)', api.member),
    row('`GET /v1/members/:id/upline` (a random member)', api.upline),
    row(`\`GET /v1/members/${w}/downline?limit=${params.page}\` (first page)`, api.firstPage),
    row(`\`GET /v1/members/${w}/downline?limit=${params.page}&after=<a random child>\``, api.laterPage),
    row(`\`GET /v1/members/${w}/downline?limit=${params.page}&asOf=<now>\` (as of an instant)`, api.asOfPage),
  ];
}

function directoryRows(f: Figures): string[][] {
  const d = f.directory;
  const range = (values: readonly number[]) => `${ms(Math.min(...values))} – ${ms(maxOf(values))}`;
  return [
    [
      'Search by id prefix (20 ids and the count)',
      us(d.searchUs),
      `${range(d.scanSearchMs)} (a scan in entry order until 20 match; every member when few or none do)`,
    ],
    [
      `First page of \`${f.wideId}\`'s ${int(f.wideChildren)} children`,
      us(d.firstPageUs),
      `${range(d.scanPageMs)} (every child's id listed, the page cut out; in entry order)`,
    ],
    ['A later page (after a random child)', us(d.laterPageUs), 'the same'],
    [`The first read of those children (sorts them by id, once)`, ms(d.sortChildrenUs / 1000), '—'],
    ['First page as of an instant', us(d.asOfPageUs), `${range(d.scanAsOfMs)} (every member's placement at the instant)`],
    ['Team size of a root', us(d.teamSizeUs), `${range(d.walkTeamMs)} (a walk of its subtree; not offered before)`],
  ];
}

/** The "explorer" section of BENCHMARKS.md. */
export function explorerReport(f: Figures): string {
  const { browser: b, shape, params } = f;
  const inBrowser = (values: readonly number[]) =>
    `p50 ${ms(p(values, 50))}, p99 ${ms(p(values, 99))} (${values.length} requests)`;
  const lastTen = b.scrolling.pages.slice(-10);
  return `## Network explorer (\`bench/explorer.bench.ts\`)

The console's network explorer (Network page) on a tenant of ${int(shape.members)} members: the real server (\`fenyong serve\`, a process of its own) on
${f.backend === 'postgres' ? 'PostgreSQL 15 (127.0.0.1, a schema of its own)' : 'PGlite'}, the built console, Debian's Chromium \`--headless\` driven by playwright-core.
The explorer reads lazily: search by id prefix from a sorted index of ids, a member's direct
downline fetched on expand, ${params.page} at a time in id order with a cursor (the next page when the end of the list
scrolls into view), counts (direct children, team size) kept up to date instead of counted per request
(\`src/service/member-directory.ts\`). Times in the browser are taken inside the page (performance.now()).

${machineLines('npm run bench:explorer')}
- Load average (1, 5, 15 min) at the start: ${f.load} on 2 CPUs shared with other work: wall-clock figures vary with it
- Network (\`src/sim/network.ts\`, seed 20260301, 40 roots, 30 levels, 20% distributors, pure preferential attachment): ${int(shape.distributors)} distributors, ${int(shape.customers)} customers; depth up to ${shape.maxDepth} (mean ${shape.meanDepth.toFixed(1)}); the top 1% of distributors have ${(100 * shape.topFanOutShare).toFixed(0)}% of all children; the widest, \`${f.wideId}\`, has ${int(f.wideChildren)} direct children
- Imported through \`POST /v1/network/import\` in chunks of ${int(params.chunk)}: ${(f.importMs / 1000).toFixed(1)} s; the first search afterwards (it builds the member directory: ids sorted, team sizes) took ${ms(f.api.firstSearchMs)}; peak RSS of the server process ${mb(f.rss.afterImport)} after the import, ${mb(f.rss.end)} at the end (directory built, every figure taken)

${table(['Goal', 'Target', 'Measured', ''], goals(f))}

In the browser: search as one types ${params.searches} prefixes of 2–7 characters of random ids, a key every ${params.keyDelayMs} ms
(the console waits for a 120 ms pause in typing before it asks, included above); the page's \`GET /v1/members\`:
${inBrowser(b.typing.api)}. Scrolling: ${int(b.scrolling.shown)} children of \`${f.wideId}\` on screen after ${b.scrolling.pages.length} pages in
${(b.scrolling.totalMs / 1000).toFixed(1)} s; the last 10 pages (${int(b.scrolling.shown - 10 * params.page)}+ rows already in the list) p50 ${ms(p(lastTen, 50))}; the page's
\`GET …/downline\`: ${inBrowser(b.scrolling.api)}; long tasks while scrolling: ${b.scrolling.longTasks.length}. Expanding again with ${int(b.scrolling.shown)} rows loaded
before the collapse: ${b.expandAfterScroll.map(ms).join(', ')}. First render, the cold loads: ${b.memberLoad.coldRuns.map(ms).join(', ')} with a member (${b.memberLoad.requests} requests), ${b.searchLoad.coldRuns.map(ms).join(', ')} without (${b.searchLoad.requests}); warm p95 ${ms(b.memberLoad.warmP95)} / ${ms(b.searchLoad.warmP95)} (${params.warmRuns} runs).

The explorer's API from Node, one request at a time, ${params.apiCalls} of each (the as-of page ${params.apiCalls / 4}):

${table(['Call', 'Calls', 'p50', 'p99', 'max'], apiRows(f))}

Most of that is HTTP, the key check and the service's catch-up query; the member directory's own work, timed
in the benchmark's process on the same network (built in ${ms(f.directory.buildMs)}), next to what the explorer's reads did before it:

${table(['Read', 'Member directory, p50 / p99', 'Before'], directoryRows(f))}`;
}
