import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQuietly, type Cleanups } from './cleanup.ts';

/**
 * A small disk of its own: a tmpfs mounted on a temp folder (needs root, or CAP_SYS_ADMIN), whose
 * size can be changed while mounted (`mount -o remount,size=…`) to fill it up or free space.
 */
export interface SmallDisk {
  readonly path: string;
  /** Bytes free and used, as `df` sees them. */
  usage(): { free: number; used: number };
  /** Sets the size (not below what is used). */
  resize(bytes: number): void;
}

/** Mounts a tmpfs of `bytes`, or answers why it cannot (not root, mounting forbidden in this container). */
export function mountSmallDisk(label: string, bytes: number, cleanups: Cleanups): SmallDisk | string {
  const root = mkdtempSync(join(tmpdir(), `fy-disk-${label}-`));
  cleanups.folder(root);
  const path = join(root, 'mnt');
  mkdirSync(path);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib(bytes)}k`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    return `cannot mount a tmpfs here: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  const unmount = () => runQuietly('umount', ['-l', path]);
  cleanups.add(`umount ${path}`, async () => unmount(), unmount);
  return {
    path,
    usage() {
      const stats = statfsSync(path);
      return { free: stats.bavail * stats.bsize, used: (stats.blocks - stats.bfree) * stats.bsize };
    },
    resize(size: number) {
      execFileSync('mount', ['-o', `remount,size=${kib(size)}k`, path], { stdio: 'pipe' });
    },
  };
}

const kib = (bytes: number) => Math.ceil(bytes / 1024);
