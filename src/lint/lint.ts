import type { CompiledPlan } from '../schema/plan.ts';
import type { TenantSettings } from '../domain/types.ts';
import { compilePlan } from '../engine/engine.ts';
import { cnProfile } from './cn.ts';
import { conditionFindings } from './conditions.ts';
import type { ComplianceProfile, Finding, Severity } from './profile.ts';

/** Compliance profiles by id. Another jurisdiction is one new file and one line here. */
export const PROFILES: Readonly<Record<string, ComplianceProfile>> = { cn: cnProfile };

/** Lints a plan against a profile, with per-rule severity overrides. */
export function lintPlan(plan: CompiledPlan, profileId = 'cn', severities: Readonly<Record<string, Severity>> = {}): Finding[] {
  const profile = PROFILES[profileId];
  if (!profile) throw new Error(`unknown compliance profile "${profileId}"; known: ${Object.keys(PROFILES).join(', ')}`);
  return profile.check(plan).map((finding) => ({
    ...finding,
    severity: severities[finding.code] ?? profile.rules[finding.code]?.severity ?? 'warn',
  }));
}

/**
 * Lints a plan as written: its `when:` conditions first (a plan whose condition does not compile
 * cannot load, so those findings are all there is), then, when it compiles, the profile's rules.
 * Any other fault of the plan is thrown as compilePlan throws it (InputError `invalid`).
 */
export function lintPlanSource(
  raw: unknown,
  settings: TenantSettings,
  profileId = 'cn',
  severities: Readonly<Record<string, Severity>> = {},
): Finding[] {
  const conditions = conditionFindings(raw);
  if (conditions.length > 0) return conditions;
  return lintPlan(compilePlan(raw, settings), profileId, severities);
}

export const hasRefusal = (findings: readonly Finding[]): boolean => findings.some((finding) => finding.severity === 'refuse');
