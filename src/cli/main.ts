import { Command, CommanderError } from 'commander';
import { InputError } from '../domain/errors.ts';
import { registerExplain } from './explain.ts';
import { registerPlanDiff } from './plan-diff.ts';
import { registerPlanLint } from './plan-lint.ts';
import { registerReport } from './report.ts';
import { registerPlanList } from './plan-list.ts';
import { registerPlanNew } from './plan-new.ts';
import { registerScenario } from './scenario.ts';
import { registerForecast } from './forecast.ts';
import { registerServe } from './serve.ts';
import { registerSimulate } from './simulate.ts';
import { registerStatement } from './statement.ts';
import { registerVerify } from './verify.ts';
import { registerBackfill } from './backfill.ts';
import { registerPayouts } from './payouts.ts';
import { registerAudit } from './audit.ts';

/** `fenyong …`: one file per command; each registers itself here. Returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('fenyong')
    .description('fenyong 分佣引擎 — distribution-commission engine')
    .exitOverride()
    .showHelpAfterError();
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  registerScenario(program, setExit);
  registerExplain(program, setExit);
  registerPlanLint(program, setExit);
  registerPlanNew(program, setExit);
  registerPlanList(program);
  registerPlanDiff(program, setExit);
  registerServe(program);
  registerVerify(program, setExit);
  registerBackfill(program, setExit);
  registerSimulate(program);
  registerForecast(program, setExit);
  registerStatement(program, setExit);
  registerReport(program, setExit);
  registerPayouts(program, setExit);
  registerAudit(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof InputError) {
      process.stderr.write(`fenyong: ${error.error.code}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
