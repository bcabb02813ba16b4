import type { CompiledCondition } from './compile.ts';

/**
 * Whether a condition holds for one line, payee or member. An evaluation error (a field the
 * engine does not have here, an integer overflow, a division by zero) makes the condition false,
 * deterministically: the same data gives the same error on every replay. The error is kept so
 * that the explanation can say why something was left out.
 */
export type Verdict = { readonly holds: boolean; readonly error?: undefined } | { readonly holds: false; readonly error: string };

const HELD: Verdict = Object.freeze({ holds: true });
const FAILED: Verdict = Object.freeze({ holds: false });

export function judge(condition: CompiledCondition, facts: Readonly<Record<string, unknown>>): Verdict {
  let value: unknown;
  try {
    value = condition.program(facts);
  } catch (error) {
    const summary = (error as { summary?: string }).summary ?? (error as Error).message ?? String(error);
    return { holds: false, error: summary };
  }
  return value === true ? HELD : FAILED;
}
