import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { hasRefusal, lintPlanSource, parseSeverities, PROFILES } from '../lint/lint.ts';
import type { Finding } from '../lint/profile.ts';
import { currencyDecimals } from '../money/money.ts';
import { readYaml } from '../scenario/load.ts';
import { planGroup } from './plan-group.ts';

/** `fenyong plan lint FILE`: compliance findings; exit 1 on any `refuse`. */
export function registerPlanLint(program: Command, setExit: (code: number) => void): void {
  planGroup(program)
    .command('lint')
    .description("check a plan (or a scenario's plan) against a compliance profile; exit 1 on a refuse finding")
    .argument('<file>', 'plan or scenario YAML file')
    .option('--profile <id>', `compliance profile (${Object.keys(PROFILES).join(', ')})`, 'cn')
    .option('--severity <rule=level...>', "override a rule's severity, e.g. chain-over-3=warn")
    .option('--json', 'print findings as JSON')
    .action((file: string, options: { profile: string; severity?: string[]; json?: boolean }) => {
      const raw = readYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const isScenario = raw !== null && typeof raw === 'object' && 'plan' in raw;
      const currency = (isScenario && typeof raw.currency === 'string' ? raw.currency : 'CNY') as string;
      const timezone = (isScenario && typeof raw.timezone === 'string' ? raw.timezone : 'Asia/Shanghai') as string;
      const severities = parseSeverities(options.severity ?? [], options.profile);
      if ('refused' in severities) {
        process.stderr.write(`fenyong: ${severities.refused}\n`);
        setExit(2);
        return;
      }
      const settings = { timezone, currency, decimals: currencyDecimals(currency) };
      const findings = lintPlanSource(isScenario ? raw.plan : raw, settings, options.profile, severities);
      if (options.json) process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
      else if (findings.length === 0) process.stdout.write(`${file}: no findings (profile ${options.profile})\n`);
      else for (const f of findings) process.stdout.write(formatFinding(f));
      if (hasRefusal(findings)) setExit(1);
    });
}

/** One finding a line; a finding on a `when:` condition also shows the expression with carets under the fault. */
function formatFinding(f: Finding): string {
  const head = `${f.severity.toUpperCase().padEnd(6)} ${f.code}${f.template ? ` [${f.template}]` : ''}: ${f.message}\n`;
  if (!f.at) return head;
  const where = f.path
    ? `${f.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`))
        .join('')
        .slice(1)}, `
    : '';
  const pointer = f.at.pointer
    .split('\n')
    .map((text) => `         ${text}`)
    .join('\n');
  return `${head}       ${where}line ${f.at.line}, column ${f.at.column}:\n${pointer}\n`;
}
