import { loadavg } from 'node:os';
import { Random } from '../../src/sim/random.ts';

/**
 * Latencies of one kind of request, in a buffer allocated once (so that recording them does not
 * itself grow the heap under test); past its capacity, a uniform reservoir sample is kept.
 */
export class Latencies {
  private readonly samples: Float64Array;
  private readonly random = new Random(1);
  count = 0;
  max = 0;

  constructor(capacity = 200_000) {
    this.samples = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.count += 1;
    if (ms > this.max) this.max = ms;
    if (this.count <= this.samples.length) this.samples[this.count - 1] = ms;
    else {
      const slot = this.random.int(0, this.count - 1);
      if (slot < this.samples.length) this.samples[slot] = ms;
    }
  }

  /** The p-th percentile (0–100) in ms. */
  percentile(p: number): number {
    const kept = this.samples.slice(0, Math.min(this.count, this.samples.length)).sort();
    if (kept.length === 0) return Number.NaN;
    return kept[Math.min(kept.length - 1, Math.ceil((p / 100) * kept.length) - 1)]!;
  }
}

export interface MemorySample {
  /** Seconds since the soak started. */
  readonly t: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly load1: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Whether a full collection can be forced (node --expose-gc; the soak's vitest config passes it). */
export const canForceGc = typeof gc === 'function';

/** Process memory after a forced full collection (when available). */
export function sampleMemory(startedAt: number): MemorySample {
  gc?.();
  const usage = process.memoryUsage();
  return {
    t: Math.round((Date.now() - startedAt) / 1000),
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    external: usage.external,
    load1: loadavg()[0]!,
  };
}

/** Heap used after two forced collections (weak references and finalizers get their turn between them). */
export async function settledHeap(): Promise<number> {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc?.();
  return process.memoryUsage().heapUsed;
}

export const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
