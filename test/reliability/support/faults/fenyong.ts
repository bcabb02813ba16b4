import { execFile, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnServe } from '../../../nats/support/server.ts';
import { killNow, type Cleanups } from './cleanup.ts';

const BIN = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'fenyong.js');
/** Starting takes seconds on a quiet machine and much longer on a busy one (it compiles TypeScript). */
const START_TIMEOUT_MS = 180_000;

/**
 * `fenyong serve` as a child process on a fixed port, started again on the same port after a kill,
 * so that clients keep one URL across crashes. Everything it printed is kept, run after run.
 */
export interface FenyongProcess {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** How many times it was started. */
  readonly starts: number;
  start(): Promise<void>;
  /** Spawns it and answers at once with the promise of its readiness (rejected if it dies first). */
  launch(): Promise<void>;
  /** Started and serving (it printed that it runs, and has not exited since). */
  ready(): boolean;
  /** SIGKILL: no shutdown at all. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful stop. */
  stop(): Promise<void>;
  running(): boolean;
  output(): string;
}

/** A fenyong process (not started yet): no demo, a fixed platform token, no scheduler ticks. */
export async function fenyongProcess(name: string, env: Record<string, string>, cleanups: Cleanups): Promise<FenyongProcess> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  let starts = 0;
  let serving = false;
  const running = () => child !== null && child.exitCode === null && child.signalCode === null;
  const halt = async (signal: NodeJS.Signals) => {
    if (running()) child!.kill(signal);
    await exited;
  };
  const server: FenyongProcess = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    get starts() {
      return starts;
    },
    running,
    ready: () => serving && running(),
    output: () => output,
    kill: () => halt('SIGKILL'),
    stop: () => halt('SIGTERM'),
    async start() {
      await server.launch();
    },
    launch() {
      if (running()) return Promise.resolve();
      starts += 1;
      serving = false;
      const from = output.length;
      output += `--- start ${starts}\n`;
      const started = spawnServe(port, env);
      child = started;
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return untilServing(
        name,
        started,
        () => output.slice(from),
        () => child === started,
      ).then(() => {
        serving = true;
      });
    },
  };
  cleanups.add(
    `fenyong ${name}`,
    () => server.kill(),
    () => killNow(child?.pid),
  );
  return server;
}

/**
 * Resolves once `started` printed that it runs (in `printed`, what it printed since it was
 * spawned); rejects if it exits first, is replaced (`current` false), or takes longer than
 * START_TIMEOUT_MS (it is then killed).
 */
async function untilServing(name: string, started: ChildProcess, printed: () => string, current: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!printed().includes('fenyong is running')) {
    if (!current() || started.exitCode !== null || started.signalCode !== null)
      throw new Error(`${name} exited while starting:\n${printed()}`);
    if (Date.now() > deadline) {
      started.kill('SIGKILL');
      throw new Error(`${name} did not start in ${START_TIMEOUT_MS} ms:\n${printed()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `fenyong verify` over a database (DATABASE_URL, or the PGlite folder): its exit code and report. */
export async function fenyongVerify(env: Record<string, string>): Promise<{ code: number; report: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'verify'], {
      env: { ...process.env, ...env },
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, report: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, report: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}
