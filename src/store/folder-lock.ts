import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A PGlite folder already open in another process. */
export class FolderInUse extends Error {
  constructor(
    readonly folder: string,
    readonly pid: number,
  ) {
    super(
      `the data folder ${folder} is in use by process ${pid} (a running fenyong serve?): PGlite is one process's ` +
        `database. Stop that process first, or share a PostgreSQL database between processes with DATABASE_URL`,
    );
    this.name = 'FolderInUse';
  }
}

const LOCK_FILE = 'fenyong.lock';
/** Folders this process holds, with how many times (a test may open one folder twice). */
const held = new Map<string, number>();

/**
 * Takes the folder for this process: PGlite keeps no lock of its own, and two processes writing
 * one folder lose each other's writes. A lock left by a process that has ended (a crash, a
 * SIGKILL) is taken over. Returns the release.
 */
export function lockFolder(folder: string): () => void {
  const path = join(folder, LOCK_FILE);
  if (!held.has(path)) take(path, folder);
  held.set(path, (held.get(path) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = held.get(path)! - 1;
    if (left > 0) return void held.set(path, left);
    held.delete(path);
    rmSync(path, { force: true });
  };
}

function take(path: string, folder: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8'));
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner))
        throw new FolderInUse(folder, owner);
      rmSync(path, { force: true }); // left by a process that ended
    }
  }
  throw new FolderInUse(folder, Number(readFileSync(path, 'utf8')));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

process.on('exit', () => {
  for (const path of held.keys()) rmSync(path, { force: true });
});
