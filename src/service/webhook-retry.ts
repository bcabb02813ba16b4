/** Attempts a delivery gets before it is marked `failed`. */
export const DEFAULT_MAX_ATTEMPTS = 16;

const FIRST_DELAY_MS = 10_000;
const MAX_DELAY_MS = 3_600_000;

/**
 * How long to wait after failed attempt number `attempt` (1-based) before the next one:
 * 10 s × 2^(attempt − 1), at most 1 h. Deterministic (no jitter): 10 s, 20 s, 40 s, … 2560 s, 1 h, 1 h…
 */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1), MAX_DELAY_MS);
}
