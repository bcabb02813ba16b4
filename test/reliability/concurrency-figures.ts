import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineLines, table, writeReliabilitySection } from '../../bench/support/report.ts';

/**
 * The `concurrency` section of RELIABILITY.md. Each concurrency test records its figures under a
 * key; the section keeps every key's latest figures as JSON in an HTML comment and renders them,
 * so test files running in parallel workers each update their own rows (under a lock directory).
 */
export type Figures = Record<string, string | number>;

const FILE = join(import.meta.dirname, '..', '..', 'RELIABILITY.md');
const LOCK = join(tmpdir(), 'fenyong-reliability-concurrency.lock');
const DATA = /<!-- concurrency-data: (.*?) -->/;

export function recordConcurrency(key: string, figures: Figures): void {
  // Written only when asked (npm run test:reliability sets it): a plain `npm test` writes nothing.
  if (process.env.FENYONG_REPORT !== '1') return;
  withLock(() => {
    const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '';
    const data = JSON.parse(DATA.exec(text)?.[1] ?? '{}') as Recorded;
    data[key] = {
      ...figures,
      at: new Date().toISOString().slice(0, 16).replace('T', ' '),
      load: loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
    };
    writeReliabilitySection('concurrency', render(data));
  });
}

type Recorded = Record<string, Figures & { at: string; load: string }>;

function render(data: Recorded): string {
  return [
    '## Concurrency: figures',
    '',
    machineLines('npm run test:reliability (test/reliability/concurrency-*.test.ts; also in npm test)'),
    '',
    '### The same event through several channels at once',
    '',
    duplicatesTable(data),
    '',
    '### Withdrawals racing for one balance',
    '',
    withdrawalsTable(data),
    '',
    '### Tenants side by side',
    '',
    tenantsTable(data),
    '',
    `<!-- concurrency-data: ${JSON.stringify(data)} -->`,
  ].join('\n');
}

/** The figures recorded under keys starting with `prefix`, in key order. */
function rowsOf(data: Recorded, prefix: string) {
  return Object.entries(data)
    .filter(([key]) => key.startsWith(prefix))
    .sort(([a], [b]) => a.localeCompare(b));
}

const runOf = (f: Figures & { at: string; load: string }) => `${f.at} (load ${f.load})`;

function duplicatesTable(data: Recorded): string {
  const rows = rowsOf(data, 'duplicates-').map(([, f]) => [
    String(f.backend),
    String(f.events),
    String(f.units),
    String(f.copies),
    String(f.eventCopies),
    String(f.duplicatesAnswered),
    String(f.natsMessages),
    'exactly once, verify clean',
    `${f.ms} ms`,
    runOf(f),
  ]);
  return table(
    [
      'deployment',
      'events',
      'units (1–5 events)',
      'unit copies sent at once',
      'event copies',
      'event copies answered duplicate over HTTP',
      'NATS messages handled',
      'outcome',
      'time',
      'run',
    ],
    rows,
  );
}

function withdrawalsTable(data: Recorded): string {
  const rows = rowsOf(data, 'withdrawals-').map(([, f]) => [
    String(f.backend),
    String(f.case),
    String(f.attempts),
    String(f.accepted),
    String(f.refused),
    String(f.withdrawn),
    String(f.available),
    String(f.after),
    runOf(f),
  ]);
  return table(
    [
      'deployment',
      'case',
      'withdrawals sent at once',
      'accepted',
      'refused insufficient_funds',
      'withdrawn',
      'available before',
      'available after',
      'run',
    ],
    rows,
  );
}

function tenantsTable(data: Recorded): string {
  const rows = rowsOf(data, 'tenants-').map(([, f]) => [String(f.backend), String(f.case), String(f.detail), runOf(f)]);
  return table(['deployment', 'case', 'what was seen', 'run'], rows);
}

/** Runs `work` holding a lock directory (mkdir is atomic); a lock older than 60 s is taken over. */
function withLock(work: () => void): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const stale = existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 60_000;
      if (stale || attempt > 600) rmSync(LOCK, { recursive: true, force: true });
      Atomics.wait(sleeper, 0, 0, 50);
    }
  }
  try {
    work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
