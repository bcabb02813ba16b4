import type { Command } from 'commander';
import { configFromEnv } from '../server/config.ts';
import { startServer } from '../server/start.ts';

/** `fenyong serve`: the server, the console and the API docs (what `npm start` runs). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the server (PGlite in .data/ unless DATABASE_URL is set)')
    .option('--port <port>', 'port (default $PORT or 3000)')
    .action(async (options: { port?: string }) => {
      const config = configFromEnv({ ...process.env, ...(options.port ? { PORT: options.port } : {}) });
      const server = await startServer(config, (line) => process.stdout.write(`${line}\n`));
      const shutdown = async () => {
        await server.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown());
      process.once('SIGTERM', () => void shutdown());
      await new Promise(() => undefined);
    });
}
