import { z } from 'zod';
import { errorBody } from '../../../src/api/errors.ts';

/** The one error body, strictly: nothing beside `error`, nothing in it beside code, message and path. */
const strictError = z.strictObject({
  error: z.strictObject({
    code: errorBody.shape.error.shape.code,
    message: z.string().min(1),
    path: z.array(z.union([z.string(), z.number()])).optional(),
  }),
});

export const STABLE_CODES: readonly string[] = errorBody.shape.error.shape.code.options;

/** Why a reply is not the one error schema, or null when it is. */
export function errorSchemaProblem(status: number, contentType: string | undefined, text: string): string | null {
  if (status < 400) return null;
  if (!String(contentType ?? '').startsWith('application/json')) return `content-type ${String(contentType)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  const result = strictError.safeParse(parsed);
  return result.success
    ? null
    : `not the error schema: ${result.error.issues[0]!.message} at ${result.error.issues[0]!.path.join('.')}`;
}

/** Item results of a batch (POST /v1/events and the like): every refusal carries a stable code. */
export function itemResultProblems(body: unknown): string[] {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return [];
  const problems: string[] = [];
  results.forEach((result: { status?: string; error?: { code?: string; message?: string } }, index) => {
    if (result.status !== 'rejected') return;
    if (!STABLE_CODES.includes(String(result.error?.code)))
      problems.push(`results[${index}] has code ${String(result.error?.code)}`);
    if (typeof result.error?.message !== 'string' || result.error.message.length === 0)
      problems.push(`results[${index}] has no message`);
  });
  return problems;
}
