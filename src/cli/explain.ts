import type { Command } from 'commander';
import { findAward, parseAwardSelector } from '../explain/find.ts';
import { ruleLabelOf } from '../explain/origin.ts';
import { explainAward } from '../explain/render.ts';
import { loadScenario } from '../scenario/load.ts';
import { runScenario } from '../scenario/run.ts';
import { readLang } from './lang-option.ts';

/** `fenyong explain FILE --award <to>:<order|period>:<rule> [--lang en]`. */
export function registerExplain(program: Command, setExit: (code: number) => void): void {
  program
    .command('explain')
    .description('explain one award of a scenario in plain sentences (zh-CN by default)')
    .argument('<file>', 'scenario YAML file')
    .requiredOption('--award <selector>', 'the award, as <to>:<order|period>:<rule>, e.g. L2:O1:direct')
    .option('--lang <lang>', 'zh-CN or en', 'zh-CN')
    .action((file: string, options: { award: string; lang: string }) => {
      const lang = readLang(options.lang, 'zh-CN');
      if (lang === null) {
        setExit(2);
        return;
      }
      if (parseAwardSelector(options.award) === null) {
        process.stderr.write(`fenyong: --award ${options.award}: write it as <to>:<order|period>:<rule>, e.g. L2:O1:direct\n`);
        setExit(2);
        return;
      }
      const { engine } = runScenario(loadScenario(file));
      const award = findAward(engine, options.award);
      if (!award) {
        const known = [...engine.state.awards.all()]
          .filter((a) => a.amount !== 0n)
          .map((a) => `${a.to}:${a.order ?? a.period}:${a.rule}`);
        process.stderr.write(`fenyong: no award ${options.award}; awards in this scenario:\n  ${known.join('\n  ')}\n`);
        setExit(2);
        return;
      }
      process.stdout.write(`${explainAward(award, engine.settings, lang, ruleLabelOf(engine, award)).join('\n')}\n`);
    });
}
