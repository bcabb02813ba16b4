import type { ASTNode } from '@marcbachmann/cel-js';

/** Whether a value is a node of the library's AST (its args mix nodes, names and literals). */
function isNode(value: unknown): value is ASTNode {
  return value !== null && typeof value === 'object' && 'op' in value && 'args' in value && 'start' in value;
}

/** Every node of the tree, parents before children, in source order. */
export function* nodesOf(root: ASTNode): Generator<ASTNode> {
  yield root;
  yield* childrenIn(root.args);
}

function* childrenIn(args: unknown): Generator<ASTNode> {
  if (isNode(args)) {
    yield* nodesOf(args);
  } else if (Array.isArray(args)) {
    for (const arg of args) yield* childrenIn(arg);
  }
}

/** The top-level variables an expression reads (`line`, `seller`…). */
export function variablesOf(root: ASTNode): Set<string> {
  const names = new Set<string>();
  for (const node of nodesOf(root)) if (node.op === 'id') names.add(node.args as string);
  return names;
}

/** The string literals of an expression, e.g. the SKUs a condition names. */
export function stringLiteralsOf(root: ASTNode): string[] {
  const literals: string[] = [];
  for (const node of nodesOf(root)) if (node.op === 'value' && typeof node.args === 'string') literals.push(node.args);
  return literals;
}
