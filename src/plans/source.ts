import { readFileSync } from 'node:fs';
import { fail, InputError } from '../domain/errors.ts';
import type { TenantSettings } from '../domain/types.ts';
import { compilePlan } from '../engine/engine.ts';
import { lintPlanSource } from '../lint/lint.ts';
import type { Finding } from '../lint/profile.ts';
import { currencyDecimals } from '../money/money.ts';
import { readYaml } from '../scenario/load.ts';
import type { CompiledPlan } from '../schema/plan.ts';

/** A plan as read from a file: a plan file, or the `plan` of a scenario file. */
export interface PlanSource {
  readonly file: string;
  /** The plan as written (YAML parsed, decimals kept as text). */
  readonly raw: unknown;
  /** The zone and currency its amounts and dates are read in (a scenario's, else Asia/Shanghai, CNY). */
  readonly settings: TenantSettings;
  readonly fromScenario: boolean;
}

/** Reads a plan or scenario file; an unreadable or malformed file is an `invalid` input. */
export function readPlanSource(file: string): PlanSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(fail('invalid', `cannot read ${file}: ${(error as Error).message}`));
  }
  return planSourceFromText(text, file);
}

export function planSourceFromText(text: string, file: string): PlanSource {
  let parsed: unknown;
  try {
    parsed = readYaml(text);
  } catch (error) {
    throw new InputError(fail('invalid', `${file} is not valid YAML: ${(error as Error).message}`));
  }
  const doc = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const fromScenario = 'plan' in doc;
  const currency = fromScenario && typeof doc.currency === 'string' ? doc.currency : 'CNY';
  const timezone = fromScenario && typeof doc.timezone === 'string' ? doc.timezone : 'Asia/Shanghai';
  return {
    file,
    raw: fromScenario ? doc.plan : parsed,
    settings: { timezone, currency, decimals: currencyDecimals(currency) },
    fromScenario,
  };
}

/** Validates and compiles the plan (InputError `invalid` with the path of the bad field). */
export function compileSource(source: PlanSource): CompiledPlan {
  return compilePlan(source.raw, source.settings);
}

/** The plan's compliance findings under a profile (`cn` by default). */
export function lintSource(source: PlanSource, profile = 'cn'): Finding[] {
  return lintPlanSource(source.raw, source.settings, profile);
}
