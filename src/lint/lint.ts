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

/**
 * Severity overrides written `rule=level` (the CLI's --severity), checked against the profile: an
 * unknown rule or level would otherwise drop a refusal without a word. Returns them, or why not.
 */
export function parseSeverities(pairs: readonly string[], profileId = 'cn'): Record<string, Severity> | { refused: string } {
  const profile = PROFILES[profileId];
  if (!profile) return { refused: `unknown compliance profile "${profileId}"; known: ${Object.keys(PROFILES).join(', ')}` };
  const severities: Record<string, Severity> = {};
  for (const pair of pairs) {
    const [rule, level, ...rest] = pair.split('=');
    if (!rule || !(rule in profile.rules))
      return {
        refused: `--severity ${pair}: no rule "${rule}" in profile ${profileId}; its rules: ${Object.keys(profile.rules).join(', ')}`,
      };
    if (rest.length > 0 || (level !== 'warn' && level !== 'refuse'))
      return { refused: `--severity ${pair}: write ${rule}=warn or ${rule}=refuse` };
    severities[rule] = level;
  }
  return severities;
}

export const hasRefusal = (findings: readonly Finding[]): boolean => findings.some((finding) => finding.severity === 'refuse');
