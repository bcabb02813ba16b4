import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository's root: where a user runs `npx fenyong …`. */
export const root = join(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `fenyong …` as a user would, returning its exit code and output. */
export function fenyong(...args: string[]): Promise<CliResult> {
  return fenyongWith({}, ...args);
}

/**
 * Runs `fenyong …` with `env` added to the environment. DATABASE_URL is cleared first, so a
 * shell that has one set cannot point a test at a database it did not choose.
 */
export async function fenyongWith(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', [join(root, 'bin/fenyong.js'), ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CliResult;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
