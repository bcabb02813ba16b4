import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { InputError } from '../domain/errors.ts';
import { FolderInUse } from '../store/folder-lock.ts';
import { unreadableInput } from './unreadable.ts';
type Register = (program: Command, setExit: (code: number) => void) => void;

/**
 * Each command's module, in the order help lists them. A module is loaded only when its command
 * runs: `scenario check` needs the engine, not the server, PDF and spreadsheet libraries that
 * `serve` or `statement` load (a third of the start-up time of every command).
 */
const COMMANDS: readonly (readonly [name: string, load: () => Promise<Register[]>])[] = [
  ['scenario', async () => [(await import('./scenario.ts')).registerScenario]],
  ['explain', async () => [(await import('./explain.ts')).registerExplain]],
  [
    'plan',
    async () => {
      const [lint, created, list, diff] = await Promise.all([
        import('./plan-lint.ts'),
        import('./plan-new.ts'),
        import('./plan-list.ts'),
        import('./plan-diff.ts'),
      ]);
      return [lint.registerPlanLint, created.registerPlanNew, list.registerPlanList, diff.registerPlanDiff];
    },
  ],
  ['serve', async () => [(await import('./serve.ts')).registerServe]],
  ['verify', async () => [(await import('./verify.ts')).registerVerify]],
  ['backfill', async () => [(await import('./backfill.ts')).registerBackfill]],
  ['simulate', async () => [(await import('./simulate.ts')).registerSimulate]],
  ['forecast', async () => [(await import('./forecast.ts')).registerForecast]],
  ['backtest', async () => [(await import('./forecast.ts')).registerForecast]],
  ['statement', async () => [(await import('./statement.ts')).registerStatement]],
  ['report', async () => [(await import('./report.ts')).registerReport]],
  ['payouts', async () => [(await import('./payouts.ts')).registerPayouts]],
  ['audit', async () => [(await import('./audit.ts')).registerAudit]],
];

/** The commands to register: the one named first, or all of them (help, an unknown command). */
async function commandsFor(argv: readonly string[]): Promise<Register[]> {
  const named = COMMANDS.find(([name]) => name === argv[0]);
  if (named) return named[1]();
  const all = await Promise.all(COMMANDS.filter(([name]) => name !== 'backtest').map(([, load]) => load()));
  return all.flat();
}

/** The version in package.json (the one file that holds it). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** `fenyong …`: one file per command, registered here. Returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('fenyong')
    .description('fenyong 分佣引擎 — distribution-commission engine')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError();
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  for (const register of await commandsFor(argv)) register(program, setExit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    // A usage error (unknown option, missing argument…) is bad input: 2, as every other; 1 stays
    // a check that failed. Help and the version answer 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof InputError) {
      process.stderr.write(`fenyong: ${error.error.code}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof FolderInUse) {
      process.stderr.write(`fenyong: ${error.message}\n`);
      return 2;
    }
    const unreadable = unreadableInput(error);
    if (unreadable !== null) {
      process.stderr.write(`fenyong: ${unreadable}\n`);
      return 2;
    }
    // (Loaded only here: the service is no part of most commands.)
    const { UnknownTenant } = await import('../service/service.ts');
    if (error instanceof UnknownTenant) {
      process.stderr.write(`fenyong: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
