import { compileCondition, describeIssue } from '../engine/cel/compile.ts';
import { TEMPLATES } from '../engine/templates/registry.ts';
import type { Finding } from './profile.ts';

/**
 * The `when:` conditions of a plan as written, type-checked before the plan is compiled: a plan
 * whose condition does not compile cannot load, so each such condition is a `refuse` finding
 * that names the template and points at the offending part of the expression (`cel_syntax_error`,
 * `cel_type_error`, `cel_unknown_variable`, `cel_unknown_field`, `cel_too_long`,
 * `cel_too_complex`, `cel_forbidden`). Independent of the compliance profile.
 */
export function conditionFindings(raw: unknown): Finding[] {
  const templates = (raw !== null && typeof raw === 'object' ? (raw as { templates?: unknown }).templates : undefined) ?? [];
  if (!Array.isArray(templates)) return [];
  const findings: Finding[] = [];
  templates.forEach((entry: unknown, index) => {
    if (entry === null || typeof entry !== 'object') return;
    const { id, template, when } = entry as { id?: unknown; template?: unknown; when?: unknown };
    const known = typeof template === 'string' ? TEMPLATES[template] : undefined;
    // Anything else (no template, a `when` that is not text) is the plan schema's to report.
    if (typeof when !== 'string' || !known) return;
    const result = compileCondition(when, known.kind);
    if (result.ok) return;
    const { issue } = result;
    findings.push({
      code: issue.code,
      severity: 'refuse',
      template: typeof id === 'string' ? id : `templates[${index}]`,
      message: `when: ${describeIssue(issue)}`,
      path: ['templates', index, 'when'],
      at: { line: issue.line, column: issue.column, excerpt: issue.excerpt, pointer: issue.pointer },
    });
  });
  return findings;
}
