import type { Condition } from '../domain/types.ts';

/** Evaluates an any/all condition tree whose leaves are judged by `leaf`. */
export function holds<Leaf>(condition: Condition<Leaf>, leaf: (leaf: Leaf) => boolean): boolean {
  if (condition !== null && typeof condition === 'object') {
    if ('any' in condition) return (condition.any as Condition<Leaf>[]).some((inner) => holds(inner, leaf));
    if ('all' in condition) return (condition.all as Condition<Leaf>[]).every((inner) => holds(inner, leaf));
  }
  return leaf(condition as Leaf);
}

/** The leaf keys a condition uses, e.g. ["spend", "bought"]. */
export function leafKeys<Leaf extends object>(condition: Condition<Leaf> | undefined): string[] {
  if (!condition) return [];
  if ('any' in condition) return (condition.any as Condition<Leaf>[]).flatMap((inner) => leafKeys(inner));
  if ('all' in condition) return (condition.all as Condition<Leaf>[]).flatMap((inner) => leafKeys(inner));
  return Object.keys(condition);
}
