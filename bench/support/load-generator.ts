/**
 * An open-loop load generator in a process of its own, as wrk or k6 would be: the benchmark makes
 * every request body beforehand and hands them over; this process only sends them at a fixed rate
 * and times the answers. Its heap is small and holds no generated shop, so its garbage collector
 * and event loop add as little as they can to the latencies it measures (in the benchmark's own
 * process, with hundreds of megabytes of generated data, they showed in the tails).
 *
 * Run as `node --import tsx bench/support/load-generator.ts` with an IPC channel; see `openLoopIn`.
 */
import { fork } from 'node:child_process';
import { JsonClient } from './server-process.ts';

/** One request to send: its path, API key and JSON body. */
export interface LoadRequest {
  readonly path: string;
  readonly key: string;
  readonly body: unknown;
}

export interface LoadPlan {
  readonly url: string;
  readonly ratePerS: number;
  readonly requests: readonly LoadRequest[];
}

/** Per request: latency from send to full answer, the server's own time, and accepted items (batches). */
export interface LoadResult {
  readonly latenciesMs: number[];
  readonly serverMs: number[];
  readonly accepted: number;
  /** Requests per second from the first send to the last answer. */
  readonly achieved: number;
}

/** Runs `plan` in a fresh load-generator process and answers what it measured. */
export async function openLoopIn(plan: LoadPlan): Promise<LoadResult> {
  const child = fork(import.meta.filename, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (message) => {
      child.disconnect();
      resolve(message as LoadResult);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the load generator exited (${code}) before answering`)));
    child.send(plan);
  });
}

type Reply = { results?: { status: string }[] };

async function run(plan: LoadPlan): Promise<LoadResult> {
  const client = new JsonClient(plan.url);
  const latenciesMs: number[] = [];
  const serverMs: number[] = [];
  let accepted = 0;
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  for (const [i, request] of plan.requests.entries()) {
    const due = started + (i * 1000) / plan.ratePerS;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const t0 = performance.now();
    inflight.push(
      client.postTimed<Reply>(request.path, request.key, request.body).then((answer) => {
        latenciesMs.push(performance.now() - t0);
        if (answer.serverMs !== null) serverMs.push(answer.serverMs);
        accepted += answer.body.results?.filter((r) => r.status === 'accepted').length ?? 0;
      }),
    );
  }
  await Promise.all(inflight);
  const achieved = plan.requests.length / ((performance.now() - started) / 1000);
  client.close();
  return { latenciesMs, serverMs, accepted, achieved };
}

if (process.send && process.argv[1] === import.meta.filename) {
  process.once('message', (plan: LoadPlan) => {
    run(plan).then(
      (result) => process.send!(result),
      (error: unknown) => {
        process.stderr.write(`load generator: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
