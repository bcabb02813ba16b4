import type { ASTNode, ParseResult } from '@marcbachmann/cel-js';
import { stringLiteralsOf, variablesOf } from './ast.ts';
import { ENVIRONMENTS, LIMITS, VARIABLES, type ConditionKind } from './environment.ts';
import { forbiddenUse } from './forbidden.ts';

/**
 * What a condition is judged for. An order template's condition is judged once per order when it
 * reads neither `line` nor `beneficiary`, once per line when it reads `line`, and once per payee
 * of each line when it reads `beneficiary`; a period template's once per member.
 */
export type ConditionScope = 'order' | 'line' | 'beneficiary' | 'member';

/** A `when:` condition parsed and type-checked once, for every order or close of its plan version. */
export interface CompiledCondition {
  readonly source: string;
  readonly kind: ConditionKind;
  readonly scope: ConditionScope;
  /** The string literals it asks for (SKUs, categories…), for the compliance lint. */
  readonly literals: readonly string[];
  /** Those it leaves out (`line.sku != "kit"`). */
  readonly excludes: readonly string[];
  readonly program: ParseResult;
}

export type ConditionIssueCode =
  | 'cel_syntax_error'
  | 'cel_type_error'
  | 'cel_unknown_variable'
  | 'cel_unknown_field'
  | 'cel_too_long'
  | 'cel_too_complex'
  | 'cel_forbidden';

/** Why a condition was refused, and where: 1-based line and column of the offending part. */
export interface ConditionIssue {
  readonly code: ConditionIssueCode;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  /** The offending sub-expression ('' at the end of the input). */
  readonly excerpt: string;
  /** The source line with carets under the offending part. */
  readonly pointer: string;
}

export type CompileResult =
  { readonly ok: true; readonly condition: CompiledCondition } | { readonly ok: false; readonly issue: ConditionIssue };

/**
 * Compiled conditions by kind and source. A plan version compiles each of its conditions once,
 * and the same plan compiled again (a simulation's plans, a draft linted as it is typed) finds
 * its conditions here: they are immutable, and their programs keep no state between runs.
 */
const cache = new Map<string, CompileResult>();
const CACHE_SIZE = 1000;

export function compileCondition(source: string, kind: ConditionKind): CompileResult {
  const key = `${kind}\u0000${source}`;
  let result = cache.get(key);
  if (result === undefined) {
    result = compileUncached(source, kind);
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(key, result);
  }
  return result;
}

function compileUncached(source: string, kind: ConditionKind): CompileResult {
  if (source.length > LIMITS.maxLength) {
    const message = `the condition has ${source.length} characters, more than ${LIMITS.maxLength}; split it or use the template's own filters`;
    return refuse(source, 'cel_too_long', message, { start: LIMITS.maxLength, end: source.length });
  }
  const env = ENVIRONMENTS[kind];
  let program: ParseResult;
  try {
    program = env.parse(source);
  } catch (error) {
    return fromLibraryError(source, kind, error);
  }
  const forbidden = forbiddenUse(program.ast);
  if (forbidden) return refuse(source, 'cel_forbidden', `not allowed in a condition: ${forbidden.reason}`, forbidden.node);
  const checked = program.check();
  if (!checked.valid) return fromLibraryError(source, kind, checked.error);
  if (checked.type !== 'bool') {
    return refuse(
      source,
      'cel_type_error',
      `a condition must be a bool (true or false), this one is ${checked.type}`,
      program.ast,
    );
  }
  const { named, excluded } = stringLiteralsOf(program.ast);
  return {
    ok: true,
    condition: { source, kind, scope: scopeOf(kind, program.ast), literals: named, excludes: excluded, program },
  };
}

function scopeOf(kind: ConditionKind, ast: ASTNode): ConditionScope {
  if (kind === 'period') return 'member';
  const variables = variablesOf(ast);
  if (variables.has('beneficiary')) return 'beneficiary';
  return variables.has('line') ? 'line' : 'order';
}

interface LibraryError {
  readonly name?: string;
  readonly code?: string;
  readonly summary?: string;
  readonly message?: string;
  readonly node?: { readonly op?: string; readonly args?: unknown };
  readonly range?: { readonly start: number; readonly end: number };
}

/** Maps the library's ParseError / TypeError to an issue with our code and a helpful message. */
function fromLibraryError(source: string, kind: ConditionKind, raw: unknown): CompileResult {
  const error = (raw ?? {}) as LibraryError;
  const summary = error.summary ?? error.message ?? String(raw);
  const range = error.range ?? { start: 0, end: source.length };
  if (error.name === 'ParseError') {
    return refuse(source, error.code === 'limit_exceeded' ? 'cel_too_complex' : 'cel_syntax_error', tooComplex(summary), range);
  }
  if (error.code === 'unknown_variable') {
    const name = source.slice(range.start, range.end);
    const known = Object.keys(VARIABLES[kind]).join(', ');
    return refuse(source, 'cel_unknown_variable', `unknown variable \`${name}\`; ${kind} templates have: ${known}`, range);
  }
  if (error.code === 'no_such_key') {
    return refuse(source, 'cel_unknown_field', unknownField(source, kind, error, summary), range);
  }
  return refuse(source, 'cel_type_error', summary, range);
}

function tooComplex(summary: string): string {
  const limit = /Exceeded (\w+) \((\d+)\)/.exec(summary);
  return limit
    ? `the condition is too complex: more than ${limit[2]} ${limit[1]!
        .replace(/^max/, '')
        .replace(/([A-Z])/g, ' $1')
        .trim()
        .toLowerCase()}`
    : summary;
}

function unknownField(source: string, kind: ConditionKind, error: LibraryError, summary: string): string {
  const receiver = (error.node?.args as unknown[] | undefined)?.[0] as { op?: string; args?: unknown } | undefined;
  const variable = receiver?.op === 'id' ? String(receiver.args) : null;
  const fields = variable ? VARIABLES[kind][variable] : undefined;
  if (!variable || !fields) return summary;
  const field = /No such key: (\S+)/.exec(summary)?.[1] ?? '?';
  return `\`${variable}\` has no field \`${field}\`; it has: ${Object.keys(fields).join(', ')}`;
}

function refuse(
  source: string,
  code: ConditionIssueCode,
  message: string,
  range: { readonly start: number; readonly end: number },
): CompileResult {
  return { ok: false, issue: locate(source, code, message, range.start, Math.max(range.start, range.end)) };
}

function locate(source: string, code: ConditionIssueCode, message: string, start: number, end: number): ConditionIssue {
  const before = source.slice(0, start);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = source.indexOf('\n', lineStart) === -1 ? source.length : source.indexOf('\n', lineStart);
  const column = start - lineStart + 1;
  const marks = Math.max(1, Math.min(end, lineEnd) - start);
  const pointer = `${source.slice(lineStart, lineEnd)}\n${' '.repeat(column - 1)}${'^'.repeat(marks)}`;
  return { code, message, line, column, excerpt: source.slice(start, end), pointer };
}

/** One line for a person: "cel_type_error at 1:29 (`seller.level >= "2"`): no such overload…". */
export function describeIssue(issue: ConditionIssue): string {
  const where = issue.excerpt ? ` (\`${issue.excerpt.length > 60 ? `${issue.excerpt.slice(0, 57)}…` : issue.excerpt}\`)` : '';
  return `${issue.code} at ${issue.line}:${issue.column}${where}: ${issue.message}`;
}
