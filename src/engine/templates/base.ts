import { z } from 'zod';
import type { BaseKind } from '../../domain/types.ts';
import { exact, type Exact } from '../../money/rate.ts';
import type { NetLine } from './template.ts';

export const baseKind = z.enum(['paid', 'profit']).default('paid');

/**
 * The amount a rate applies to (DOMAIN.md, Bases): the net paid amount, or the net paid minus
 * the cost scaled to the net quantity, never below zero. Exact: nothing is rounded here.
 */
export function lineBase(line: NetLine, kind: BaseKind): Exact {
  // One object for every template that pays on the line: applyRate converts a base it saw last only once.
  if (kind === 'paid') return line.paidBase ?? exact(line.paid);
  const num = line.paid * line.cost.den - line.cost.num;
  return num > 0n ? { num, den: line.cost.den } : exact(0n);
}
