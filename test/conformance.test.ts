import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMismatch } from '../src/cli/scenario.ts';
import { checkScenario } from '../src/scenario/check.ts';
import { loadScenario } from '../src/scenario/load.ts';

/**
 * Every scenario in conformance/ (the public copies, the project's own, one per plan of the
 * library in plans/library, and those whose plan or network is refused whole) must match its
 * `expect`.
 */
const root = join(import.meta.dirname, '..', 'conformance');
const files = ['public', 'own', 'library', 'rejected'].flatMap((folder) =>
  readdirSync(join(root, folder))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(folder, name)),
);

describe('conformance scenarios', () => {
  it('has at least 40 scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it('has scenarios that are refused whole, for a plan and for a starting network', () => {
    expect(files.filter((file) => file.startsWith('rejected')).length).toBeGreaterThanOrEqual(4);
  });

  it('has a scenario for each of the 12 library plans', () => {
    expect(files.filter((file) => file.startsWith('library')).length).toBe(12);
  });

  it.each(files)('%s', (file) => {
    const scenario = loadScenario(join(root, file));
    expect(checkScenario(scenario).map(formatMismatch)).toEqual([]);
  });
});
