import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.ts';
import { Scheduler } from '../service/scheduler.ts';
import { Service } from '../service/service.ts';
import { openDatabase } from '../store/open.ts';
import type { Sql } from '../store/sql.ts';
import type { ServerConfig } from './config.ts';
import { seedDemo } from './demo.ts';
import { starters } from './plugins.ts';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly service: Service;
  readonly sql: Sql;
  readonly url: string;
  /** A fresh admin key of the demo tenant, when it was seeded. */
  readonly demoKey: string | undefined;
  stop(): Promise<void>;
}

/** Opens the database, migrates, seeds the demo, starts the API, the scheduler and consumers. */
export async function startServer(config: ServerConfig, log: (line: string) => void = () => undefined): Promise<RunningServer> {
  const sql = await openDatabase(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir, reserveBytes: config.reserveBytes },
  );
  const service = new Service(sql);
  if (config.maxAheadMs !== null) service.aheadLimit = { now: Date.now, maxAheadMs: config.maxAheadMs };
  await service.loadNotifying();
  const demo = config.seedDemo ? await seedDemo(service, Date.now(), log) : null;
  const app = await buildApp({
    service,
    platformToken: config.platformToken,
    logger: config.logRequests,
    rateLimit: config.rateLimit,
    ...(config.consoleDir ? { consoleDir: config.consoleDir } : {}),
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  const scheduler = new Scheduler(service, {
    intervalMs: config.tickIntervalMs,
    lagMs: config.tickLagMs,
    now: Date.now,
    onError: (e) => log(`scheduler: ${String(e)}`),
  });
  scheduler.start();
  const stops: (() => Promise<void>)[] = [];
  for (const starter of starters) stops.push(await starter({ config, service, log }));
  log(`fenyong is running on ${sql.kind === 'pglite' ? `PGlite (${config.dataDir})` : 'PostgreSQL'}`);
  log(`  console   ${url}/`);
  log(`  API docs  ${url}/docs   (OpenAPI: ${url}/openapi.json)`);
  if (demo) log(`  demo tenant "demo", admin key: ${demo.key}`);
  // Where the demo shop (npm run demo:shop) finds this server and the demo key (a local file only).
  const serverFile = demo ? writeServerFile(config, { url, tenant: 'demo', key: demo.key }) : null;
  if (config.platformTokenGenerated)
    log(`  platform token (creates tenants; set FENYONG_PLATFORM_TOKEN to fix it): ${config.platformToken}`);
  return {
    app,
    service,
    sql,
    url,
    demoKey: demo?.key,
    async stop() {
      if (serverFile) rmSync(serverFile, { force: true });
      scheduler.stop();
      for (const stop of stops) await stop();
      await app.close();
      await sql.close();
    },
  };
}

/** An optional part of the server (see plugins.ts): started with it, returns how to stop it. */
export type Starter = (context: {
  config: ServerConfig;
  service: Service;
  log: (line: string) => void;
}) => Promise<() => Promise<void>>;

/**
 * Writes `.data/server.json` (beside the PGlite folder): the URL and the demo tenant's fresh admin
 * key, readable by the owner only, for `npm run demo:shop`. Removed when the server stops.
 */
export function writeServerFile(config: ServerConfig, info: { url: string; tenant: string; key: string }): string | null {
  const file = join(dirname(config.dataDir), 'server.json');
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ ...info, pid: process.pid, startedAt: new Date().toISOString() }, null, 2)}\n`, {
      mode: 0o600,
    });
    return file;
  } catch {
    return null;
  }
}
