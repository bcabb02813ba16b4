import type { Command } from 'commander';
import { libraryMarkdownTable, libraryPlans, libraryTextTable, lintSummary, templatesOf } from '../plans/library.ts';
import { readLang } from './lang-option.ts';
import { planGroup } from './plan-group.ts';

/** `fenyong plan list [--markdown | --json] [--lang zh-CN]`: the library of ready plans. */
export function registerPlanList(program: Command, setExit: (code: number) => void): void {
  planGroup(program)
    .command('list')
    .description('list the library of ready plans (fenyong plan new --model M --stage S starts from one)')
    .option('--markdown', 'print the Markdown table of plans/library/README.md')
    .option('--json', 'print JSON (with both headlines)')
    .option('--lang <lang>', 'the headlines in en or zh-CN (the text table)', 'en')
    .action((options: { markdown?: boolean; json?: boolean; lang: string }) => {
      const lang = readLang(options.lang, 'en');
      if (lang === null) {
        setExit(2);
        return;
      }
      const plans = libraryPlans();
      if (options.json) {
        const rows = plans.map((plan) => ({
          model: plan.model,
          stage: plan.stage,
          file: `plans/library/${plan.path}`,
          name: plan.name,
          headline: plan.headline,
          headlineZh: plan.headlineZh,
          templates: templatesOf(plan),
          lint: { summary: lintSummary(plan.findings), findings: plan.findings },
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      } else if (options.markdown) {
        process.stdout.write(`${libraryMarkdownTable(plans)}\n`);
      } else {
        process.stdout.write(
          `${libraryTextTable(plans, lang)}\n\nfenyong plan new --model <model> --stage <stage> [--out FILE]\n`,
        );
      }
    });
}
