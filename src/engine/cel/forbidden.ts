import type { ASTNode } from '@marcbachmann/cel-js';
import { nodesOf } from './ast.ts';

/** What a condition may not use, and why: bounded cost, no floats, the same answer on every host. */
export interface ForbiddenUse {
  readonly node: ASTNode;
  readonly reason: string;
}

/** Macros that loop over a list: a condition judges one line or one member, it never iterates. */
const LOOPS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** Timestamp getters: with a time-zone argument the library reads the host's zone rules. */
const ZONED_GETTERS = new Set([
  'getDate',
  'getDayOfMonth',
  'getDayOfWeek',
  'getDayOfYear',
  'getFullYear',
  'getHours',
  'getMilliseconds',
  'getMinutes',
  'getMonth',
  'getSeconds',
]);

/** The first construct of `root` a condition may not use, or null. */
export function forbiddenUse(root: ASTNode): ForbiddenUse | null {
  for (const node of nodesOf(root)) {
    const reason = reasonFor(node);
    if (reason) return { node, reason };
  }
  return null;
}

function reasonFor(node: ASTNode): string | null {
  if (node.op === 'value' && typeof node.args === 'number') {
    return 'a double literal: amounts are int fen (write 10000 for 100.00), and conditions use no floats';
  }
  if (node.op === 'call') {
    const [name] = node.args as [string, ASTNode[]];
    if (name === 'double') return 'double(): amounts are int fen, and conditions use no floats';
  }
  if (node.op === 'rcall') {
    const [name, , args] = node.args as [string, ASTNode, ASTNode[]];
    if (LOOPS.has(name)) return `the ${name}() macro: conditions do not loop over lists (use \`in\` with a short list)`;
    if (name === 'matches')
      return 'matches(): a regular expression can take unbounded time; use startsWith, endsWith, contains or `in`';
    if (ZONED_GETTERS.has(name) && args.length > 0) {
      return `${name}() with a time zone depends on the host; compare order.paidAt with timestamp("2026-03-01T00:00:00+08:00") instead`;
    }
  }
  return null;
}
