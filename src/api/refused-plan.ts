import type { Finding } from '../lint/profile.ts';
import { ApiError } from './errors.ts';

/**
 * A plan with a `refuse` finding of the compliance lint goes live only with `allowRefused` (after
 * a legal review): the same gate for a tenant's first plan and for every later version.
 */
export function refuseUnlessAllowed(findings: readonly Finding[], allowRefused: boolean): void {
  const refused = findings.filter((finding) => finding.severity === 'refuse');
  if (allowRefused || refused.length === 0) return;
  throw ApiError.of(
    'invalid',
    `the plan has refuse findings (${refused.map((finding) => finding.code).join(', ')}); fix them or set allowRefused after legal review`,
    ['plan'],
  );
}
