import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineLines, writeReliabilitySection } from '../../../bench/support/report.ts';

/** Figures are written only when asked (FENYONG_REPORT=1): a plain `npm test` writes nothing. */
export const REPORTING = process.env.FENYONG_REPORT === '1';

/** The command that writes the `fuzz` and `security` sections of RELIABILITY.md. */
export const RELIABILITY_COMMAND = 'npm run test:reliability';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const PARTS = join(ROOT, '.data', 'reliability');

/**
 * Records one test file's part of a RELIABILITY.md section and rewrites the section from every
 * part recorded so far (test files run in separate workers, so each keeps its part on disk under
 * .data/reliability/<section>/). Parts are ordered by name.
 */
export function recordFigures(section: 'fuzz' | 'security', part: string, body: string): void {
  if (!REPORTING) return;
  const folder = join(PARTS, section);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${part}.md`), `${body.trim()}\n`);
  const parts = readdirSync(folder)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => readFileSync(join(folder, name), 'utf8').trim());
  const title = section === 'fuzz' ? '## Hostile input (fuzz)' : '## Security';
  writeReliabilitySection(
    section,
    [title, '', machineLines(RELIABILITY_COMMAND), '', INTROS[section], '', ...parts.flatMap((p) => [p, ''])].join('\n'),
  );
}

const INTROS = {
  fuzz: 'Seeded fast-check properties (`FUZZ_SEED`, default 20260401; `FUZZ_RUNS` raises the runs per property, e.g. `FUZZ_RUNS=60 npm run test:reliability`). Every request is checked for: no 5xx and no hang; a refusal in the one error schema with a stable code; item refusals with stable codes; no table changed by a refusal (a digest of every table before and after each request; a refused event may only record itself in `rejected_events` and let time pass, without applying any event); at the end `verify` clean and no prototype polluted.',
  security:
    'Authorisation, keys, limits, logs, SQL and signatures, each proved by a test of `npm test` (files `test/reliability/security-*.test.ts` and `test/api/isolation.test.ts`).',
} as const;

/** Writes the inputs a test file tried to .data/reliability/<file>.jsonl (only when reporting), one JSON line each, cut to 2,000 characters. */
export function recordInputs(file: string, lines: readonly unknown[]): string | null {
  if (!REPORTING) return null;
  mkdirSync(PARTS, { recursive: true });
  const path = join(PARTS, `${file}.jsonl`);
  writeFileSync(path, `${lines.map((line) => safeJson(line).slice(0, 2000)).join('\n')}\n`);
  return path.slice(ROOT.length + 1);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (error) {
    return JSON.stringify({ unserialisable: String(error) });
  }
}

/** The number of runs of each fast-check property: small in CI, FUZZ_RUNS raises it. */
export function fuzzRuns(ciDefault: number): number {
  const asked = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(asked) && asked > 0 ? asked : ciDefault;
}

/** The seed of every property (FUZZ_SEED replays a run). */
export const FUZZ_SEED =
  Number.isSafeInteger(Number(process.env.FUZZ_SEED)) && process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20260401;

/** Time a fuzz test may take: long runs (FUZZ_RUNS) take as long as they need; CI runs take well under a minute. */
export const FUZZ_TIMEOUT_MS = 60 * 60_000;
