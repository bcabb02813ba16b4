import type { Command } from 'commander';
import { libraryMarkdownTable, libraryPlans, libraryTextTable, lintSummary, templatesOf } from '../plans/library.ts';
import { planGroup } from './plan-group.ts';

/** `fenyong plan list [--markdown | --json]`: the library of ready plans. */
export function registerPlanList(program: Command): void {
  planGroup(program)
    .command('list')
    .description('list the library of ready plans (fenyong plan new --model M --stage S starts from one)')
    .option('--markdown', 'print the Markdown table of plans/library/README.md')
    .option('--json', 'print JSON')
    .action((options: { markdown?: boolean; json?: boolean }) => {
      const plans = libraryPlans();
      if (options.json) {
        const rows = plans.map((plan) => ({
          model: plan.model,
          stage: plan.stage,
          file: `plans/library/${plan.path}`,
          name: plan.name,
          headline: plan.headline,
          templates: templatesOf(plan),
          lint: { summary: lintSummary(plan.findings), findings: plan.findings },
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      } else if (options.markdown) {
        process.stdout.write(`${libraryMarkdownTable(plans)}\n`);
      } else {
        process.stdout.write(`${libraryTextTable(plans)}\n\nfenyong plan new --model <model> --stage <stage> [--out FILE]\n`);
      }
    });
}
