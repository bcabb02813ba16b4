import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'fenyong.js');

/** `fenyong serve` in a child process (its own event loop and CPU, as in production). */
export interface BenchServer {
  readonly child: ChildProcess;
  readonly url: string;
  /** CPU seconds (user + system) the server process has used so far. */
  cpuSeconds(): number;
  /** Peak resident set size so far, in bytes. */
  peakRss(): number;
  stop(): Promise<void>;
}

/** The node flags `npm start` runs the server with (package.json). */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=32'];

/**
 * Starts the server on `databaseUrl` with the scheduler held off (benchmarks send history, which
 * a tick to "now" would make late); `nodeArgs` adds flags such as `--cpu-prof`.
 */
export async function startBenchServer(
  databaseUrl: string,
  platformToken: string,
  nodeArgs: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<BenchServer> {
  // Flags as `npm start` runs the server with (README, Configuration), then the benchmark's own.
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, BIN, 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      FENYONG_DEMO: '0',
      FENYONG_PLATFORM_TOKEN: platformToken,
      NATS_URL: '',
      FENYONG_TICK_SECONDS: '86400',
      // Generated workloads run months or years ahead of the real clock.
      FENYONG_MAX_AHEAD_DAYS: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  // BENCH_SERVER_LOG=<file> keeps what the server prints (e.g. with --trace-gc in the node flags).
  const keep = process.env.BENCH_SERVER_LOG ? createWriteStream(process.env.BENCH_SERVER_LOG) : null;
  if (keep) child.stdout!.pipe(keep);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /console\s+(http:\/\/[^\s/]+)\//.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fenyong serve exited (${code}): ${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A benchmark that fails half-way must not leave its server running (it holds the port, the
  // database and the terminal's pipe).
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    url,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    peakRss: () => {
      try {
        return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      } catch {
        return 0;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** User + system CPU seconds of a process (0 when it is gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/**
 * A small keep-alive JSON client (node:http): less overhead per request than fetch, so that the
 * open loops measure the server rather than the client.
 */
export class JsonClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  async post<T>(path: string, key: string, body: unknown): Promise<T> {
    return (await this.postTimed<T>(path, key, body)).body;
  }

  /** POSTs, answering the body and the server's own time (its Server-Timing header; null without one). */
  postTimed<T>(path: string, key: string, body: unknown): Promise<{ body: T; serverMs: number | null }> {
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const reply = Buffer.concat(chunks).toString();
            if ((res.statusCode ?? 500) >= 300) reject(new Error(`${path}: ${res.statusCode} ${reply.slice(0, 500)}`));
            else resolve({ body: JSON.parse(reply) as T, serverMs: serverTimeOf(res.headers['server-timing']) });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The duration of `app` in a Server-Timing header (ms), or null. */
function serverTimeOf(header: string | string[] | undefined): number | null {
  const match = /app;dur=([\d.]+)/.exec(Array.isArray(header) ? header.join(',') : (header ?? ''));
  return match ? Number(match[1]) : null;
}
