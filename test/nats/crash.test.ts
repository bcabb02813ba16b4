import { afterEach, describe, expect, it } from 'vitest';
import { eventsSubject, rejectedSubject } from '../../src/ingest/nats-settings.ts';
import { lockKey } from '../../src/service/service.ts';
import { Random } from '../../src/sim/random.ts';
import type { Sql } from '../../src/store/sql.ts';
import { expectAppliedExactlyOnce, loggedEvents } from './support/checks.ts';
import { connectNats, natsEnv, publish, readSubject, uniqueSettings, waitConsumed } from './support/nats.ts';
import { createSchema } from './support/postgres.ts';
import { createTenantOver, freePort, Http, startServerProcess, type ServerProcess } from './support/server.ts';
import { WORKLOAD_PLAN, workload } from './support/workload.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds (or throws after `timeoutMs`). */
async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('SIGKILL of the server in the middle of ingestion', () => {
  it('NATS: every event of the stream is applied exactly once, in order, after a kill and a restart', async () => {
    const t0 = Date.now();
    const settings = uniqueSettings(4_000);
    const db = await createSchema('crash');
    cleanups.push(() => db.drop());
    const nats = await connectNats(settings);
    cleanups.push(() => nats.close());
    const env = { DATABASE_URL: db.url, ...natsEnv(settings) };
    let server: ServerProcess = await startServerProcess(env, await freePort());
    cleanups.push(() => server.kill());
    const tenant = 'crash';
    const admin = await createTenantOver(server.url, tenant, WORKLOAD_PLAN);

    // 6000 events without ids, in messages of 1 to 8 events (a single event as a bare object).
    const events = workload(6000, 11, { ids: false });
    const random = new Random(5);
    const messages: unknown[] = [];
    for (let i = 0; i < events.length;) {
      const size = random.int(1, 8);
      messages.push(size === 1 ? events[i] : events.slice(i, i + size));
      i += size;
    }
    const published = publish(nats.js, eventsSubject(settings.subjectPrefix, tenant), messages);
    // A quarter in, at an instant a batch's transaction is open (its tenant lock is held).
    await until(
      async () => (await loggedEvents(db.sql, tenant)) >= 1500 && (await lockHeld(db.sql, tenant)),
      30_000,
      'a quarter of the events',
    );
    await server.kill();
    const atKill = await loggedEvents(db.sql, tenant);
    // Messages committed (offset) but never acked (the consumer's ack floor) when the server died.
    const offsetAtKill = Number(
      (await db.sql.query<{ seq: string }>('select seq::text as seq from stream_offsets where tenant_id = $1', [tenant])).rows[0]
        ?.seq ?? 0,
    );
    const ackFloorAtKill = (await nats.jsm.consumers.info(settings.stream, settings.durable)).ack_floor.stream_seq;
    const seqs = await published;
    expect(atKill).toBeLessThan(events.length); // killed in the middle indeed

    const restartedAt = Date.now();
    server = await startServerProcess(env, await freePort());
    await waitConsumed(nats.jsm, settings, 40_000);
    const consumedAfterRestart = Date.now() - restartedAt;

    await expectAppliedExactlyOnce(db.sql, new Http(server.url, admin.key), tenant, events);
    const offset = (
      await db.sql.query<{ seq: string }>('select seq::text as seq from stream_offsets where tenant_id = $1', [tenant])
    ).rows;
    expect(offset.map((row) => Number(row.seq))).toEqual([seqs[seqs.length - 1]]);
    expect(await readSubject(nats.jsm, settings.stream, rejectedSubject(settings.subjectPrefix, tenant))).toEqual([]);
    await server.stop();
    const summary = /nats: stopped after .*/.exec(server.output())?.[0];
    expect(summary).toBeDefined();
    console.log(
      `nats crash: ${events.length} events in ${messages.length} messages; killed with ${atKill} logged (offset ${offsetAtKill}, ack floor ${ackFloorAtKill}); the restarted server consumed the rest in ${consumedAfterRestart} ms (${summary}); test ${Date.now() - t0} ms`,
    );
  });

  it('HTTP: a client retrying the batch cut by the kill gets accepted or duplicate, never a double', async () => {
    const t0 = Date.now();
    const db = await createSchema('httpcrash');
    cleanups.push(() => db.drop());
    const env = { DATABASE_URL: db.url };
    let server: ServerProcess = await startServerProcess(env, await freePort());
    cleanups.push(() => server.kill());
    const tenant = 'httpcrash';
    let http = await createTenantOver(server.url, tenant, WORKLOAD_PLAN);

    const events = workload(6000, 12, { ids: true });
    const size = 500;
    const results: string[] = [];
    let retried: string[] | null = null;
    let replyLost = false;
    for (let start = 0; start < events.length; start += size) {
      const body = { events: events.slice(start, start + size) };
      const request = http.request<{ results: { status: string }[] }>('POST', '/v1/events', body);
      if (retried === null && start >= events.length / 3) {
        // Kill while this batch's transaction is open (seen by its lock held in PostgreSQL).
        let settled = false;
        void request.then(
          () => (settled = true),
          () => (settled = true),
        );
        while (!settled && !(await lockHeld(db.sql, tenant))) await sleep(1);
        if (!settled) {
          await server.kill();
          replyLost = await request.then(
            () => false,
            () => true,
          );
          server = await startServerProcess(env, await freePort());
          http = new Http(server.url, http.key);
          retried = (await http.ok<{ results: { status: string }[] }>('POST', '/v1/events', body)).results.map((r) => r.status);
          results.push(...retried);
          continue;
        }
      }
      const reply = await request;
      expect(reply.status).toBe(200);
      results.push(...reply.body.results.map((r) => r.status));
    }
    expect(results.length).toBe(events.length);
    expect(results.filter((status) => status !== 'accepted' && status !== 'duplicate')).toEqual([]);
    expect(replyLost).toBe(true);
    // The cut batch committed whole or not at all: its retry is all duplicate or all accepted.
    expect(retried).not.toBeNull();
    expect([['accepted'], ['duplicate']]).toContainEqual([...new Set(retried)]);
    await expectAppliedExactlyOnce(db.sql, http, tenant, events);
    console.log(
      `http crash: ${events.length} events in batches of ${size}; the batch cut by the kill was retried and answered ${retried![0]}; test ${Date.now() - t0} ms`,
    );
  });
});

/** Whether a transaction holds the tenant's advisory lock: a batch of the tenant is being applied. */
async function lockHeld(sql: Sql, tenant: string): Promise<boolean> {
  const key = BigInt.asUintN(64, BigInt(lockKey(tenant)));
  const rows = (
    await sql.query<{ n: string }>(
      "select count(*)::text as n from pg_locks where locktype = 'advisory' and granted and classid = $1::oid and objid = $2::oid and objsubid = 1",
      [String(key >> 32n), String(key & 0xffffffffn)],
    )
  ).rows;
  return Number(rows[0]!.n) > 0;
}
