import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'fenyong.js');
export const PLATFORM_TOKEN = 'fyp_nats-test-platform-token';

/** A `fenyong serve` child process. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGKILL: no shutdown at all (open transactions die with the connection). */
  kill(): Promise<void>;
  /** SIGTERM: the graceful stop (drains NATS). */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node bin/fenyong.js serve` on `port` with the tests' defaults (no demo, a fixed platform
 * token, no scheduler ticks during a test, no ahead-limit), overridden by `env`.
 */
export function spawnServe(port: number, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      FENYONG_DEMO: '0',
      FENYONG_PLATFORM_TOKEN: PLATFORM_TOKEN,
      FENYONG_TICK_SECONDS: '3600',
      // Generated workloads run months or years ahead of the real clock.
      FENYONG_MAX_AHEAD_DAYS: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Starts `node bin/fenyong.js serve` on a port with the given environment (no demo, a fixed
 * platform token, no scheduler ticks during the test) and waits until it serves.
 */
export async function startServerProcess(env: Record<string, string>, port: number): Promise<ServerProcess> {
  const child = spawnServe(port, env);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000; // generous: a loaded CI machine compiles the TypeScript slowly
  while (!output.includes('fenyong is running')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited while starting:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    child,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A small JSON client of the server's HTTP API. */
export class Http {
  constructor(
    readonly url: string,
    readonly key: string,
  ) {}

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async ok<T>(method: 'GET' | 'POST', path: string, body?: unknown, status = 200): Promise<T> {
    const reply = await this.request<T>(method, path, body);
    if (reply.status !== status)
      throw new Error(`${method} ${path}: expected ${status}, got ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  }
}

/** Creates a tenant with the platform token; answers a client holding its admin key. */
export async function createTenantOver(url: string, tenant: string, plan: unknown): Promise<Http> {
  const body = await new Http(url, PLATFORM_TOKEN).ok<{ adminKey: string }>(
    'POST',
    '/v1/tenants',
    { id: tenant, name: tenant, plan, allowRefused: true },
    201,
  );
  return new Http(url, body.adminKey);
}
