import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { configFromEnv } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';

/** Debian's Chromium: the browser tests and the console benchmark drive it with playwright-core. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ROOT = join(import.meta.dirname, '..', '..');

export const chromiumPresent = (): boolean => existsSync(CHROMIUM);

/** Builds console/dist when it is missing or older than its sources (in a child process, like `prestart`). */
export function buildConsoleIfStale(): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'console', 'scripts', 'build.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: 'pipe',
  });
  if (result.status !== 0) throw new Error(`building the console failed:\n${result.stdout}\n${result.stderr}`);
}

export interface DemoServer {
  readonly server: RunningServer;
  readonly url: string;
  /** An admin key of the seeded demo tenant. */
  readonly key: string;
  stop(): Promise<void>;
}

/** The real server on PGlite in a temp folder, with the demo tenant, on a random port. */
export async function startDemoServer(): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fenyong-console-'));
  const config = configFromEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    FENYONG_DATA_DIR: dataDir,
    FENYONG_TICK_SECONDS: '3600',
    FENYONG_PLATFORM_TOKEN: 'fyp_console-test',
  });
  const server = await startServer(config);
  return {
    server,
    url: server.url,
    key: server.demoKey!,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh user-data-dir (removed on close). */
export async function launchChromium(viewport = { width: 1360, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'fenyong-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    locale: 'zh-CN',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The demo server and a Chromium beside it: what a browser spec of the demo tenant starts with. */
export interface DemoInChromium {
  readonly demo: DemoServer;
  readonly browser: Browser;
}

/** Builds the console if its sources changed, starts the demo server and launches Chromium. */
export async function startDemoInChromium(): Promise<DemoInChromium> {
  buildConsoleIfStale();
  const demo = await startDemoServer();
  try {
    return { demo, browser: await launchChromium() };
  } catch (error) {
    await demo.stop();
    throw error;
  }
}

/** Closes what startDemoInChromium started (either may be missing when the start failed). */
export async function stopDemoInChromium(started: Partial<DemoInChromium>): Promise<void> {
  await started.browser?.close();
  await started.demo?.stop();
}
