import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { machineLines, writeReliabilitySection } from '../../../../bench/support/report.ts';

/** Figures are written only when asked (FENYONG_REPORT=1, set by `npm run test:faults`). */
export const REPORTING = process.env.FENYONG_REPORT === '1';

export const FAULTS_COMMAND = 'npm run test:faults';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const PARTS = join(ROOT, '.data', 'reliability');
const LOCK = join(PARTS, '.faults-lock');

const INTRO: Record<'faults' | 'cluster', string> = {
  faults: [
    '## Faults',
    '',
    'Each fault is caused for real, on loopback: a private PostgreSQL (initdb in a temp folder, run as `postgres`) restarted',
    'under load, a private nats-server restarted, the fenyong process SIGKILLed at seeded random instants, the PGlite folder on',
    'a small tmpfs filled up. After recovery every test checks: each accepted event is in the log once and in order, awards',
    'and balances equal a clean in-memory replay of the accepted events, and `fenyong verify` exits 0 (journals balance, balances',
    'equal postings, the log is gapless, and a clean replay of the log gives entry by entry the stored postings, then the same',
    'awards, balances and withdrawals). `src/service/verify.ts` is itself tested against damage done by hand',
    '(`test/reliability/faults-verify.test.ts`).',
  ].join('\n'),
  cluster: [
    '## Scaled-out deployment',
    '',
    'On loopback: a 3-node NATS JetStream cluster, two private PostgreSQL servers holding different tenants (shards), three',
    'fenyong processes (two on shard A, one on shard B; docs/scaling.md). In the middle of the stream one NATS node and one',
    "fenyong process are SIGKILLed; every tenant's events must be applied once and in order and `fenyong verify` clean on both databases.",
  ].join('\n'),
};

/**
 * Records one test file's part of a RELIABILITY.md section (`faults` or `cluster`) and rewrites
 * the section from every part recorded so far: test files run in their own workers, so each keeps
 * its part under .data/reliability/<section>/ and the section is the parts in name order.
 */
export function recordFaultFigures(section: 'faults' | 'cluster', part: string, body: string): void {
  if (!REPORTING) return;
  const folder = join(PARTS, section);
  mkdirSync(folder, { recursive: true });
  const stamp = `_${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}_`;
  writeFileSync(join(folder, `${part}.md`), `${body.trim()}\n\n${stamp}\n`);
  withLock(() => {
    const parts = readdirSync(folder)
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => readFileSync(join(folder, name), 'utf8').trim());
    writeReliabilitySection(
      section,
      [INTRO[section], '', machineLines(FAULTS_COMMAND), '', ...parts.flatMap((p) => [p, ''])].join('\n'),
    );
  });
}

/** A directory as a lock between workers rewriting RELIABILITY.md (stale after 30 s). */
function withLock(work: () => void): void {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) break; // a stale lock: go ahead
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    work();
  } finally {
    try {
      rmdirSync(LOCK);
    } catch {
      // already gone
    }
  }
}
