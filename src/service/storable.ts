import { fail, type EngineError } from '../domain/errors.ts';

/**
 * Input PostgreSQL cannot store, or that no request needs: `text` and `jsonb` refuse the NUL
 * character (U+0000), `jsonb` refuses a lone UTF-16 surrogate (JSON.stringify writes it as
 * "\ud800"), and JSON nested deeper than any event, plan or payload is (deep nesting exhausts the
 * stack of recursive code: serialisers, validators, PostgreSQL's jsonb parser). Such input is
 * refused as `invalid` at the edge, before it reaches the engine or a query, instead of failing a
 * transaction half-way (a 5xx over HTTP, an endless redelivery over NATS).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Nesting no event, plan or shop payload comes near (a plan's conditions are a few levels deep). */
export const MAX_DEPTH = 64;

/** Whether a string holds text PostgreSQL cannot store. */
export function unstorableString(text: string): boolean {
  return UNSTORABLE.test(text);
}

/**
 * The first reason `value` cannot be taken, with the path of the offending field: a string (value
 * or key) PostgreSQL cannot store, or nesting deeper than `maxDepth`. Null when it can be taken.
 * A clean value costs one pass that allocates nothing (it runs on every ingested event); only
 * when that pass finds something does a second walk, iterative and keeping paths, name the first.
 */
export function unstorableInput(value: unknown, maxDepth = MAX_DEPTH): EngineError | null {
  return mayBeUnstorable(value, 0, maxDepth) ? walk(value, maxDepth, true) : null;
}

/**
 * Whether `walk` would find anything (it may answer true where walk finds nothing, never the
 * reverse: `for…in` also visits inherited keys). Recursive, but never deeper than `maxDepth`.
 */
function mayBeUnstorable(node: unknown, depth: number, maxDepth: number): boolean {
  if (typeof node === 'string') return unstorableString(node);
  if (node === null || typeof node !== 'object') return false;
  if (depth >= maxDepth) return true;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (mayBeUnstorable(node[i], depth + 1, maxDepth)) return true;
    return false;
  }
  for (const key in node) {
    if (unstorableString(key) || mayBeUnstorable((node as Record<string, unknown>)[key], depth + 1, maxDepth)) return true;
  }
  return false;
}

function walk(value: unknown, maxDepth: number, withPaths: boolean): EngineError | null {
  const nodes: unknown[] = [value];
  const depths: number[] = [0];
  const paths: (string | number)[][] = [[]];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop()!;
    const path = withPaths ? paths.pop()! : [];
    if (typeof node === 'string') {
      if (unstorableString(node)) return fail('invalid', UNSTORABLE_MESSAGE, path);
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth)
      return fail('invalid', `JSON nested more than ${maxDepth} levels deep is not accepted`, path.slice(0, 8));
    const keys: (string | number)[] = Array.isArray(node) ? [] : Object.keys(node);
    const length = Array.isArray(node) ? node.length : keys.length;
    for (let i = length - 1; i >= 0; i -= 1) {
      const key = Array.isArray(node) ? i : keys[i]!;
      if (typeof key === 'string' && unstorableString(key))
        return fail('invalid', UNSTORABLE_MESSAGE, [...path, key.replace(new RegExp(UNSTORABLE.source, 'g'), '\ufffd')]);
      nodes.push((node as Record<string | number, unknown>)[key]);
      depths.push(depth + 1);
      if (withPaths) paths.push([...path, key]);
    }
  }
  return null;
}

/** The message refusing such text (it never echoes the value). */
export const UNSTORABLE_MESSAGE = 'text must not contain the NUL character (\\u0000) or an unpaired UTF-16 surrogate';
