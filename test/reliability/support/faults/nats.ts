import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort } from '../../../nats/support/server.ts';
import { killNow, type Cleanups } from './cleanup.ts';

const NATS_SERVER = process.env.TEST_NATS_SERVER ?? '/usr/sbin/nats-server';

/**
 * A private nats-server with JetStream (never the shared one on 4222): its own port and store
 * folder, so it can be stopped, killed and started again on the same stream data.
 */
export interface PrivateNats {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** SIGKILL (no flush, no goodbye to the cluster). */
  kill(): Promise<void>;
  /** SIGTERM, the graceful shutdown. */
  stop(): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
  output(): string;
}

interface NodeOptions {
  readonly name: string;
  readonly storeDir: string;
  readonly port: number;
  /** Cluster settings: this node's route port and every node's route port. */
  readonly cluster?: { readonly port: number; readonly routes: readonly number[] };
}

function nodeArgs(options: NodeOptions): string[] {
  const args = ['-a', '127.0.0.1', '-p', String(options.port), '-js', '-sd', options.storeDir, '--server_name', options.name];
  if (options.cluster) {
    args.push('--cluster_name', 'fyfaults', '--cluster', `nats://127.0.0.1:${options.cluster.port}`);
    args.push(
      '--routes',
      options.cluster.routes
        .filter((p) => p !== options.cluster!.port)
        .map((p) => `nats://127.0.0.1:${p}`)
        .join(','),
    );
  }
  return args;
}

function natsNode(options: NodeOptions, cleanups: Cleanups): PrivateNats {
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const running = () => child !== null && child.exitCode === null && child.signalCode === null;
  const halt = async (signal: NodeJS.Signals) => {
    if (running()) child!.kill(signal);
    await exited;
  };
  const node: PrivateNats = {
    name: options.name,
    port: options.port,
    url: `nats://127.0.0.1:${options.port}`,
    running,
    output: () => output,
    kill: () => halt('SIGKILL'),
    stop: () => halt('SIGTERM'),
    async start() {
      if (running()) return;
      const started = spawn(NATS_SERVER, nodeArgs(options), { stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitForPort(
        options.port,
        30_000,
        () => running(),
        () => output,
      );
    },
  };
  cleanups.add(
    `nats ${options.name}`,
    () => node.kill(),
    () => killNow(child?.pid),
  );
  return node;
}

/** One JetStream server, started. */
export async function startPrivateNats(label: string, cleanups: Cleanups): Promise<PrivateNats> {
  const storeDir = mkdtempSync(join(tmpdir(), `fy-nats-${label}-`));
  cleanups.folder(storeDir);
  const node = natsNode({ name: label, storeDir, port: await freePort() }, cleanups);
  await node.start();
  return node;
}

/** A JetStream cluster of `size` routed nodes on loopback, started and with a meta leader elected. */
export async function startNatsCluster(label: string, size: number, cleanups: Cleanups): Promise<PrivateNats[]> {
  const routes: number[] = [];
  for (let i = 0; i < size; i++) routes.push(await freePort());
  const nodes: PrivateNats[] = [];
  for (let i = 0; i < size; i++) {
    const storeDir = mkdtempSync(join(tmpdir(), `fy-nats-${label}-${i}-`));
    cleanups.folder(storeDir);
    nodes.push(
      natsNode({ name: `${label}-${i}`, storeDir, port: await freePort(), cluster: { port: routes[i]!, routes } }, cleanups),
    );
  }
  await Promise.all(nodes.map((node) => node.start()));
  await waitForJetStream(
    nodes.map((node) => node.url),
    60_000,
  );
  return nodes;
}

/** Waits until JetStream answers (in a cluster: once a meta leader is elected). */
export async function waitForJetStream(servers: readonly string[], timeoutMs: number): Promise<void> {
  const nc = await connect({ servers: [...servers], maxReconnectAttempts: -1 });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2000 });
        await jsm.getAccountInfo();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`JetStream not ready after ${timeoutMs} ms: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await nc.close();
  }
}

async function waitForPort(port: number, timeoutMs: number, alive: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connectTcp(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (!alive()) throw new Error(`nats-server exited while starting:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
