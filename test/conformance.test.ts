import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMismatch } from '../src/cli/scenario.ts';
import { compare } from '../src/scenario/check.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { runScenario } from '../src/scenario/run.ts';

/** Every scenario in conformance/ (the public copies and the project's own) must match its `expect`. */
const root = join(import.meta.dirname, '..', 'conformance');
const files = ['public', 'own'].flatMap((folder) =>
  readdirSync(join(root, folder))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(folder, name)),
);

describe('conformance scenarios', () => {
  it('has at least 40 scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)('%s', (file) => {
    const scenario = loadScenario(join(root, file));
    const mismatches = compare(scenario, runScenario(scenario).result);
    expect(mismatches.map(formatMismatch)).toEqual([]);
  });
});
