import type { CompiledPlan } from '../schema/plan.ts';
import { cnProfile } from './cn.ts';
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

export const hasRefusal = (findings: readonly Finding[]): boolean => findings.some((finding) => finding.severity === 'refuse');
