import type { Command } from 'commander';
import { InputError } from '../domain/errors.ts';
import { checkScenario, type Mismatch } from '../scenario/check.ts';
import { loadScenario, type Scenario } from '../scenario/load.ts';
import { runScenario } from '../scenario/run.ts';
import { unreadableInput } from './unreadable.ts';

/** `fenyong scenario check FILE…` and `fenyong scenario run FILE --json`. */
export function registerScenario(program: Command, setExit: (code: number) => void): void {
  const scenario = program.command('scenario').description('run conformance scenarios');
  scenario
    .command('check')
    .description('run each scenario and compare it with its `expect`; exit 1 on any mismatch')
    .argument('<files...>', 'scenario YAML files')
    .action((files: string[]) => {
      let failed = 0;
      for (const file of files) {
        const { mismatches, unreadable } = checkFile(file);
        if (mismatches.length === 0) {
          process.stdout.write(`ok    ${file}\n`);
          continue;
        }
        failed += 1;
        process.stdout.write(`FAIL  ${file}\n${mismatches.map(formatMismatch).join('\n')}\n`);
        // A file that cannot be read is bad input (2), not a scenario that failed (1).
        if (unreadable) setExit(2);
      }
      process.stdout.write(`\n${files.length - failed} passed, ${failed} failed\n`);
      if (failed > 0) setExit(1);
    });
  scenario
    .command('run')
    .description('run a scenario and print its outcome in the shape of `expect`')
    .argument('<file>', 'scenario YAML file')
    .option('--json', 'print JSON (the default)')
    .action((file: string) => {
      const scenario = loadScenario(file);
      try {
        const { result } = runScenario(scenario);
        const errors = result.errors.map(({ event, code }) => ({ event, code }));
        process.stdout.write(`${JSON.stringify({ ...result, errors }, null, 2)}\n`);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        // The whole scenario rejected is an outcome too: printed in the shape of `expect.error`,
        // and told on stderr with exit 2 as every refused input is.
        const { code, message, path } = error.error;
        process.stdout.write(`${JSON.stringify({ error: { code, message, ...(path ? { path } : {}) } }, null, 2)}\n`);
        throw error;
      }
    });
}

function checkFile(file: string): { mismatches: Mismatch[]; unreadable: boolean } {
  let loaded: Scenario;
  try {
    loaded = loadScenario(file);
  } catch (error) {
    const unreadable = unreadableInput(error, 'it');
    if (unreadable !== null)
      return {
        mismatches: [{ kind: 'different', what: 'scenario file', expected: 'a readable YAML file', actual: unreadable }],
        unreadable: true,
      };
    if (!(error instanceof InputError)) throw error;
    return {
      mismatches: [{ kind: 'different', what: 'scenario file', expected: 'the scenario format', actual: error.message }],
      unreadable: false,
    };
  }
  return { mismatches: checkScenario(loaded), unreadable: false };
}

export function formatMismatch(mismatch: Mismatch): string {
  const sign = mismatch.kind === 'missing' ? '-' : mismatch.kind === 'extra' ? '+' : '~';
  const detail =
    mismatch.kind === 'missing'
      ? `expected ${mismatch.expected}${mismatch.actual ? `, got ${mismatch.actual}` : ''}`
      : mismatch.kind === 'extra'
        ? `not expected: ${mismatch.actual}`
        : `expected ${mismatch.expected}, got ${mismatch.actual}`;
  return `  ${sign} ${mismatch.kind.padEnd(9)} ${mismatch.what}: ${detail}`;
}
