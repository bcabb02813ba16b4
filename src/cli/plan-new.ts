import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { libraryPlan, lintSummary, MODEL_IDS, MODELS, STAGE_IDS, STAGES, type Model, type Stage } from '../plans/library.ts';
import { planGroup } from './plan-group.ts';

/** `fenyong plan new --model M --stage S [--out FILE]`: a ready plan from plans/library. */
export function registerPlanNew(program: Command, setExit: (code: number) => void): void {
  planGroup(program)
    .command('new')
    .description('start from a library plan: print it (or write it with --out), its cn lint summary on stderr')
    .addOption(new Option('--model <model>', 'business model').choices(MODEL_IDS).makeOptionMandatory())
    .addOption(new Option('--stage <stage>', 'network stage').choices(STAGE_IDS).makeOptionMandatory())
    .option('--out <file>', 'write the plan to this file instead of printing it')
    .option('--force', 'overwrite --out when it exists')
    .action((options: { model: Model; stage: Stage; out?: string; force?: boolean }) => {
      const plan = libraryPlan(options.model, options.stage);
      if (options.out) {
        if (existsSync(options.out) && !options.force) {
          process.stderr.write(`fenyong: ${options.out} exists; add --force to overwrite it\n`);
          setExit(1);
          return;
        }
        mkdirSync(dirname(options.out), { recursive: true });
        writeFileSync(options.out, plan.text);
      } else {
        process.stdout.write(plan.text);
      }
      const where = options.out ? `wrote ${options.out} from plans/library/${plan.path}` : `plans/library/${plan.path}`;
      const lines = [
        `${where}: ${MODELS[plan.model].zh} · ${STAGES[plan.stage].zh} (${MODELS[plan.model].en}, ${plan.stage})`,
        `  ${plan.headline}`,
        `lint (cn): ${lintSummary(plan.findings)}${plan.findings.length > 0 ? " — each finding is explained in the plan's LINT comment" : ''}`,
        ...plan.findings.map(
          (f) => `  ${f.severity.toUpperCase().padEnd(6)} ${f.code}${f.template ? ` [${f.template}]` : ''}: ${f.message}`,
        ),
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
    });
}
