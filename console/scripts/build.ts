/**
 * Builds the web console into console/dist with Vite.
 *   node --import tsx console/scripts/build.ts          build when dist is missing or older than the sources (`prestart`)
 *   node --import tsx console/scripts/build.ts --force  always build (`npm run build:console`)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CONSOLE_ROOT = join(import.meta.dirname, '..');
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');
const SOURCES = ['src', 'index.html', 'vite.config.ts', join('scripts', 'build.ts'), join('..', 'package-lock.json')];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs);
}

/** True when console/dist is missing or older than any of the console's sources. */
export function consoleIsStale(): boolean {
  const index = join(CONSOLE_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((source) => newest(join(CONSOLE_ROOT, source)) > built);
}

/** Runs the Vite build in this process (production mode, quiet). */
export async function buildConsole(): Promise<void> {
  // React's production build: a caller's NODE_ENV (vitest sets "test") would select the slower dev build.
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE_ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const force = process.argv.includes('--force');
  if (force || consoleIsStale()) {
    const started = Date.now();
    process.stdout.write('building the web console (console/dist)…\n');
    await buildConsole();
    process.stdout.write(`web console built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}
