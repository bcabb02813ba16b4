import type { CompiledPlan } from '../schema/plan.ts';

export type Severity = 'warn' | 'refuse';

/** One compliance finding: which rule of the profile, which template, and why. */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  /** The template id the finding is about; absent for plan-wide findings. */
  readonly template?: string;
  readonly message: string;
  /** The message in Simplified Chinese, for an operator in China (the `cn` profile's findings). */
  readonly messageZh?: string;
  /** Where in the plan, e.g. ["templates", 2, "when"] (findings on a `when:` condition). */
  readonly path?: readonly (string | number)[];
  /** Where in the condition: 1-based line and column, the offending part, and the line with carets under it. */
  readonly at?: { readonly line: number; readonly column: number; readonly excerpt: string; readonly pointer: string };
}

/**
 * A jurisdiction's compliance rules. Each rule has a default severity that a tenant may change
 * (`severities`), e.g. to treat a `refuse` as a `warn` after legal review.
 */
export interface ComplianceProfile {
  readonly id: string;
  readonly description: string;
  readonly rules: Readonly<Record<string, { readonly severity: Severity; readonly summary: string }>>;
  readonly check: (plan: CompiledPlan) => readonly Omit<Finding, 'severity'>[];
}
