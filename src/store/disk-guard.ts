import { statfs } from 'node:fs/promises';
import { StorageFull } from './failures.ts';

/** Free space kept in reserve by default: a few WAL segments (16 MiB each) and the largest batch's rows. */
export const DEFAULT_RESERVE_BYTES = 64 * 1024 * 1024;

/**
 * A check run before every write to PGlite's folder: refuses it (StorageFull) when the disk has
 * less free space than `reserveBytes`. PGlite (0.5) does not survive a full disk: at ENOSPC while
 * allocating WAL it spins forever, holding its one connection, so every later request hangs. Writes
 * are therefore refused while there is still room, like a flood-stage watermark; reads go on, and
 * writes resume by themselves once space is freed. What was committed before stays committed.
 */
export function diskGuard(folder: string, reserveBytes: number): () => Promise<void> {
  if (reserveBytes <= 0) return async () => undefined;
  return async () => {
    const stats = await statfs(folder);
    const free = Number(stats.bavail) * Number(stats.bsize);
    if (free < reserveBytes) throw new StorageFull(folder, free, reserveBytes);
  };
}

/** Whether a statement only reads (so it may run on a full disk). */
export function readsOnly(text: string): boolean {
  return /^\s*select\b/i.test(text);
}
