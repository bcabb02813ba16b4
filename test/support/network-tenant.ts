import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';

/** The platform token the servers started here accept (it creates tenants). */
export const PLATFORM_TOKEN = 'fyp_network-tenant';

export interface BareServer {
  readonly server: RunningServer;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The real server without the demo tenant, on a random port: on PostgreSQL when `databaseUrl` is
 * given, else on PGlite in a temp folder (removed on stop).
 */
export async function startBareServer(databaseUrl?: string): Promise<BareServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fenyong-network-'));
  const config = configFromEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    FENYONG_DATA_DIR: dataDir,
    FENYONG_DEMO: '0',
    FENYONG_TICK_SECONDS: '3600',
    // Generated workloads run months or years ahead of the real clock.
    FENYONG_MAX_AHEAD_DAYS: 'off',
    FENYONG_PLATFORM_TOKEN: PLATFORM_TOKEN,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const server = await startServer(config);
  return {
    server,
    url: server.url,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON over HTTP with a bearer token; throws with the API's answer on a refusal. */
export async function call<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Creates tenant `id` and imports `members` as its starting network through the service's import
 * path (`POST /v1/network/import`, in chunks, parents before children). Answers its admin key.
 */
export async function tenantWithNetwork(
  server: { readonly url: string },
  id: string,
  members: readonly unknown[],
  options: { chunk?: number; onChunk?: (imported: number) => void } = {},
): Promise<string> {
  const created = await call<{ adminKey: string }>(server.url, PLATFORM_TOKEN, 'POST', '/v1/tenants', {
    id,
    name: `${id} (generated)`,
  });
  const chunk = options.chunk ?? 50_000;
  for (let from = 0; from < members.length; from += chunk) {
    await call(server.url, created.adminKey, 'POST', '/v1/network/import', { members: members.slice(from, from + chunk) });
    options.onChunk?.(Math.min(members.length, from + chunk));
  }
  return created.adminKey;
}

/** The console's session of an operator signed in with `key` (what the sign-in page stores). */
export function operatorSession(key: string): string {
  return JSON.stringify({ kind: 'operator', apiKey: key });
}
