import type { ASTNode } from '@marcbachmann/cel-js';

/** Whether a value is a node of the library's AST (its args mix nodes, names and literals). */
function isNode(value: unknown): value is ASTNode {
  return value !== null && typeof value === 'object' && 'op' in value && 'args' in value && 'start' in value;
}

/** Every node of the tree, parents before children, in source order. */
export function* nodesOf(root: ASTNode): Generator<ASTNode> {
  yield root;
  for (const child of directChildren(root.args)) yield* nodesOf(child);
}

/** The top-level variables an expression reads (`line`, `seller`…). */
export function variablesOf(root: ASTNode): Set<string> {
  const names = new Set<string>();
  for (const node of nodesOf(root)) if (node.op === 'id') names.add(node.args as string);
  return names;
}

/**
 * The string literals of an expression by how it names them, e.g. the SKUs of a condition:
 * `line.sku == "kit"` or `line.sku in ["kit"]` ask for "kit", `line.sku != "kit"` or
 * `!(line.sku == "kit")` leave it out. Each negation (`!`, `!=`) turns the reading.
 */
export function stringLiteralsOf(root: ASTNode): { readonly named: string[]; readonly excluded: string[] } {
  const named: string[] = [];
  const excluded: string[] = [];
  const visit = (node: ASTNode, negated: boolean): void => {
    if (node.op === 'value' && typeof node.args === 'string') {
      (negated ? excluded : named).push(node.args);
      return;
    }
    const turned = node.op === '!_' || node.op === '!=' ? !negated : negated;
    for (const child of directChildren(node.args)) visit(child, turned);
  };
  visit(root, false);
  return { named, excluded };
}

/** The nodes directly under a node's args (in arrays, at any depth of nesting). */
function directChildren(args: unknown): ASTNode[] {
  if (isNode(args)) return [args];
  return Array.isArray(args) ? args.flatMap(directChildren) : [];
}
