/**
 * Every rejection is a value with a stable code (DOMAIN.md, "Events and errors"), a message a
 * person can act on, and, for shape errors, the path of the bad field.
 */
export const ERROR_CODES = [
  'invalid',
  'conflict',
  'unknown_member',
  'unknown_order',
  'cycle',
  'refund_exceeds_paid',
  'below_minimum',
  'insufficient_funds',
  /** Beyond DOMAIN.md's list: the payout workflow (issue "Payouts, tax and statements"). */
  'unknown_withdrawal',
  'limit_exceeded',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface EngineError {
  readonly code: ErrorCode;
  readonly message: string;
  /** Path of the offending field, e.g. ["lines", 0, "paid"]. */
  readonly path?: readonly (string | number)[];
}

export function fail(code: ErrorCode, message: string, path?: readonly (string | number)[]): EngineError {
  return path ? { code, message, path } : { code, message };
}

/** Thrown only where a whole input (a plan, a starting network, a scenario file) is refused. */
export class InputError extends Error {
  constructor(readonly error: EngineError) {
    super(error.path?.length ? `${error.message} (at ${error.path.join('.')})` : error.message);
    this.name = 'InputError';
  }
}

/** A broken internal invariant: a bug in fenyong, never a user's fault. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`fenyong invariant violated: ${message}`);
}
