import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../../nats/support/server.ts';
import { runQuietly, type Cleanups } from './cleanup.ts';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries of the Debian packages (/usr/lib/postgresql/<major>/bin). */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl'))) : [];
  if (majors.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  return join(root, majors.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

/** How PostgreSQL goes down: `fast` ends sessions cleanly, `immediate` is a crash (recovery from WAL on start). */
export type StopMode = 'fast' | 'immediate';

/**
 * A private PostgreSQL server (never the shared one on 5432, which other tests use): a cluster made
 * by initdb in a temp folder, run as the `postgres` user on a free loopback port, trust auth.
 */
export interface PrivatePostgres {
  readonly port: number;
  /** DATABASE_URL of the `fenyong` database. */
  readonly url: string;
  stop(mode: StopMode): Promise<void>;
  start(): Promise<void>;
  /** Stops (mode), waits `downMs`, starts again. */
  restart(mode: StopMode, downMs: number): Promise<void>;
}

/** Runs a PostgreSQL binary as the postgres user (the server refuses to run as root). */
async function asPostgres(bin: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run('runuser', ['-u', 'postgres', '--', bin, ...args], { timeout: 120_000 });
  return stdout;
}

export async function startPrivatePostgres(label: string, cleanups: Cleanups): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const root = mkdtempSync(join(tmpdir(), `fy-pg-${label}-`));
  cleanups.folder(root);
  const data = join(root, 'data');
  const sockets = join(root, 'sockets');
  mkdirSync(sockets);
  const { uid, gid } = postgresUser();
  chownSync(root, uid, gid);
  chownSync(sockets, uid, gid);
  await asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  // fsync off: the machine does not crash in these tests, the server does; commits still wait for
  // their WAL to reach the OS (synchronous_commit stays on), so a crashed server loses nothing acknowledged.
  const options = `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100`;
  const pgCtl = (args: readonly string[]) => asPostgres(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const start = async () => {
    await pgCtl(['-l', join(root, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  };
  const stop = async (mode: StopMode) => {
    await pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
  };
  await start();
  cleanups.add(
    `postgres ${label}`,
    () => stop('immediate').catch(() => undefined),
    () => runQuietly('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']),
  );
  await adminQuery(port, 'create database fenyong');
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/fenyong`,
    stop,
    start,
    async restart(mode, downMs) {
      await stop(mode);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
  };
}

async function adminQuery(port: number, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user on this machine');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
