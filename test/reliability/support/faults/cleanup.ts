import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * What a fault test started (servers, temp folders, mounts), undone in reverse order by `run`
 * (the test file's afterAll), and, should the worker die first, by a last synchronous pass at
 * process exit: no test leaves a process or a mount behind, also when it fails.
 */
export class Cleanups {
  private readonly steps: { name: string; run: () => Promise<unknown>; atExit: () => void }[] = [];

  constructor() {
    process.once('exit', () => {
      for (const step of this.steps.splice(0).reverse()) {
        try {
          step.atExit();
        } catch {
          // best effort: the process is going away
        }
      }
    });
  }

  /** Registers an undo step; `atExit` is its synchronous form (kill, unmount, remove). Returns a way to run it early. */
  add(name: string, run: () => Promise<unknown>, atExit: () => void): () => Promise<void> {
    const step = { name, run, atExit };
    this.steps.push(step);
    return async () => {
      const index = this.steps.indexOf(step);
      if (index < 0) return;
      this.steps.splice(index, 1);
      await run();
    };
  }

  /** A temp folder removed at the end. */
  folder(path: string): void {
    const remove = () => rmSync(path, { recursive: true, force: true });
    this.add(`rm ${path}`, async () => remove(), remove);
  }

  /** Runs every step, newest first; a failing step does not keep the others from running. */
  async run(): Promise<void> {
    const failures: string[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      await step.run().catch((error: unknown) => failures.push(`${step.name}: ${String(error)}`));
    }
    if (failures.length > 0) console.warn(`cleanup: ${failures.join('; ')}`);
  }
}

/** SIGKILLs a process by id if it still runs (synchronous, for exit handlers). */
export function killNow(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs a command synchronously, ignoring its failure (for exit handlers). */
export function runQuietly(command: string, args: readonly string[]): void {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  } catch {
    // best effort
  }
}
