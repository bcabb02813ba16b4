import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { compilePlan } from '../engine/engine.ts';
import { hasRefusal, lintPlan, PROFILES } from '../lint/lint.ts';
import type { Severity } from '../lint/profile.ts';
import { currencyDecimals } from '../money/money.ts';
import { readYaml } from '../scenario/load.ts';
import { planGroup } from './plan-group.ts';

/** `fenyong plan lint FILE`: compliance findings; exit 1 on any `refuse`. */
export function registerPlanLint(program: Command, setExit: (code: number) => void): void {
  planGroup(program)
    .command('lint')
    .description('check a plan (or a scenario\'s plan) against a compliance profile; exit 1 on a refuse finding')
    .argument('<file>', 'plan or scenario YAML file')
    .option('--profile <id>', `compliance profile (${Object.keys(PROFILES).join(', ')})`, 'cn')
    .option('--severity <rule=level...>', 'override a rule\'s severity, e.g. chain-over-3=warn')
    .option('--json', 'print findings as JSON')
    .action((file: string, options: { profile: string; severity?: string[]; json?: boolean }) => {
      const raw = readYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const isScenario = raw !== null && typeof raw === 'object' && 'plan' in raw;
      const currency = (isScenario && typeof raw.currency === 'string' ? raw.currency : 'CNY') as string;
      const timezone = (isScenario && typeof raw.timezone === 'string' ? raw.timezone : 'Asia/Shanghai') as string;
      const compiled = compilePlan(isScenario ? raw.plan : raw, { timezone, currency, decimals: currencyDecimals(currency) });
      const severities = Object.fromEntries((options.severity ?? []).map((pair) => pair.split('=') as [string, Severity]));
      const findings = lintPlan(compiled, options.profile, severities);
      if (options.json) process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
      else if (findings.length === 0) process.stdout.write(`${file}: no findings (profile ${options.profile})\n`);
      else for (const f of findings) process.stdout.write(`${f.severity.toUpperCase().padEnd(6)} ${f.code}${f.template ? ` [${f.template}]` : ''}: ${f.message}\n`);
      if (hasRefusal(findings)) setExit(1);
    });
}
