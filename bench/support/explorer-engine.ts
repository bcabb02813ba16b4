/**
 * The member directory alone, in this process, on the same network (bench/explorer.bench.ts): what
 * its reads cost without HTTP and the database around them, next to what the explorer's reads
 * cost before it (a scan of every member per search, of every member's history per as-of
 * downline, a walk of the subtree per team size; a page of the downline went through every child).
 */
import { Engine } from '../../src/engine/engine.ts';
import type { Member, Network } from '../../src/engine/network.ts';
import { directoryOf } from '../../src/service/member-directory.ts';
import { percentile } from './report.ts';

export interface DirectoryFigures {
  readonly buildMs: number;
  /** Microseconds per call. */
  readonly searchUs: number[];
  /** The first read of the widest member's children: they are sorted then, once. */
  readonly sortChildrenUs: number;
  readonly firstPageUs: number[];
  readonly laterPageUs: number[];
  readonly asOfPageUs: number[];
  readonly teamSizeUs: number[];
  /** Milliseconds per call of the former ways. */
  readonly scanSearchMs: number[];
  readonly scanAsOfMs: number[];
  readonly scanPageMs: number[];
  readonly walkTeamMs: number[];
}

const microseconds = (work: () => unknown, times: number): number[] =>
  Array.from({ length: times }, () => {
    const started = performance.now();
    work();
    return (performance.now() - started) * 1000;
  });

/** How GET /v1/members searched before the directory: members in entry order until `limit` matched. */
function scanSearch(network: Network, prefix: string, limit: number): string[] {
  const found: string[] = [];
  for (const member of network.all()) {
    if (found.length >= limit) break;
    if (member.id.startsWith(prefix)) found.push(member.id);
  }
  return found;
}

const walkTeam = (member: Member): number => (member.children ?? []).reduce((sum, child) => sum + 1 + walkTeam(child), 0);

/** Loads `members` into an engine and times the directory's reads against the former ones. */
export function directoryFigures(
  members: readonly unknown[],
  wideId: string,
  queries: readonly string[],
  cursors: readonly string[],
): DirectoryFigures {
  const engine = Engine.create({ timezone: 'Asia/Shanghai', currency: 'CNY', plan: { templates: [] }, members });
  const network = engine.state.network;
  const wide = network.get(wideId)!;
  const roots = [...network.all()].filter((member) => member.parent === null).slice(0, 3);
  const started = performance.now();
  const directory = directoryOf(network);
  const buildMs = performance.now() - started;
  const now = Date.now();
  let q = 0;
  let c = 0;
  const figures = {
    buildMs,
    searchUs: microseconds(() => directory.search(queries[q++ % queries.length]!, null, 20), 1000),
    sortChildrenUs: microseconds(() => directory.children(wide, null, 100), 1)[0]!,
    firstPageUs: microseconds(() => directory.children(wide, null, 100), 200),
    laterPageUs: microseconds(() => directory.children(wide, cursors[c++ % cursors.length]!, 100), 200),
    asOfPageUs: microseconds(() => directory.childrenAt(wide, now, null, 100), 50),
    teamSizeUs: microseconds(() => directory.teamSize(roots[0]!), 1000),
    // The former ways, a few times each: searches (one for the newest member's id, one matching
    // nothing: both scan every member), the as-of downline (Network.childrenAt: every member's
    // placement), the teams of three roots by walking them.
    scanSearchMs: [...queries.slice(0, 3), lastId(network), 'no-such-id'].map((query) =>
      timeMs(() => scanSearch(network, query, 20)),
    ),
    scanAsOfMs: [0, 1, 2].map(() => timeMs(() => network.childrenAt(wideId, now))),
    // The former page of today's downline: every child's id, then the page cut out (offset 5,000).
    scanPageMs: [0, 1, 2].map(() => timeMs(() => (wide.children ?? []).map((child) => child.id).slice(5000, 5100))),
    walkTeamMs: roots.map((root) => timeMs(() => walkTeam(root))),
  };
  return figures;
}

function lastId(network: Network): string {
  let last = '';
  for (const member of network.all()) last = member.id;
  return last;
}

function timeMs(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

/** "p50 / p99" of microseconds. */
export const us = (values: readonly number[]) => `${percentile(values, 50).toFixed(1)} / ${percentile(values, 99).toFixed(1)} µs`;
