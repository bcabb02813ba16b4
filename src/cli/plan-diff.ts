import type { Command } from 'commander';
import { PROFILES } from '../lint/lint.ts';
import { diffPlans, renderDiff } from '../plans/diff.ts';
import { readPlanSource } from '../plans/source.ts';
import { planGroup } from './plan-group.ts';

/** `fenyong plan diff A B [--json] [--exit-code]`: what changed from plan A to plan B. */
export function registerPlanDiff(program: Command, setExit: (code: number) => void): void {
  planGroup(program)
    .command('diff')
    .description('show what changed between two plans (plan or scenario files): settings, recruiting, levels, templates, lint')
    .argument('<a>', 'the plan before (plan or scenario YAML)')
    .argument('<b>', 'the plan after (plan or scenario YAML)')
    .option('--json', 'print the differences as JSON')
    .option('--exit-code', 'exit 1 when the plans differ (like git diff --exit-code)')
    .option('--profile <id>', `compliance profile of the lint findings (${Object.keys(PROFILES).join(', ')})`, 'cn')
    .action((a: string, b: string, options: { json?: boolean; exitCode?: boolean; profile: string }) => {
      const diff = diffPlans(readPlanSource(a), readPlanSource(b), options.profile);
      process.stdout.write(`${options.json ? JSON.stringify(diff, null, 2) : renderDiff(diff)}\n`);
      if (options.exitCode && !diff.same) setExit(1);
    });
}
