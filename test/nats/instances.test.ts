import { afterAll, describe, expect, it } from 'vitest';
import { eventsSubject, rejectedSubject } from '../../src/ingest/nats-settings.ts';
import { Random } from '../../src/sim/random.ts';
import { expectAppliedExactlyOnce } from './support/checks.ts';
import { connectNats, natsEnv, publish, readSubject, uniqueSettings, waitConsumed } from './support/nats.ts';
import { createSchema } from './support/postgres.ts';
import { createTenantOver, freePort, startServerProcess, type ServerProcess } from './support/server.ts';
import { WORKLOAD_PLAN, workload } from './support/workload.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('two server instances on one stream and one database', () => {
  it('apply every event of several tenants once and in order per tenant', async () => {
    const t0 = Date.now();
    const settings = uniqueSettings(5_000);
    const db = await createSchema('instances');
    cleanups.push(() => db.drop());
    const nats = await connectNats(settings);
    cleanups.push(() => nats.close());
    const env = { DATABASE_URL: db.url, ...natsEnv(settings) };
    const servers: ServerProcess[] = await Promise.all([
      startServerProcess(env, await freePort()),
      startServerProcess(env, await freePort()),
    ]);
    for (const server of servers) cleanups.push(() => server.kill());

    const tenants = ['north', 'south', 'east', 'west'];
    const admins = await Promise.all(tenants.map((tenant, i) => createTenantOver(servers[i % 2]!.url, tenant, WORKLOAD_PLAN)));
    const events = tenants.map((_, i) => workload(1500, 100 + i, { ids: false }));
    // Each tenant's events in messages of 1 to 6 events; the tenants' messages interleaved at random.
    const random = new Random(9);
    const queues = events.map((list) => {
      const messages: unknown[] = [];
      for (let i = 0; i < list.length;) {
        const size = random.int(1, 6);
        messages.push(size === 1 ? list[i] : list.slice(i, i + size));
        i += size;
      }
      return messages;
    });
    const total = queues.reduce((sum, q) => sum + q.length, 0);
    const published = Date.now();
    while (queues.some((q) => q.length > 0)) {
      const i = random.pick(queues.map((q, k) => (q.length > 0 ? k : -1)).filter((k) => k >= 0));
      const run = queues[i]!.splice(0, random.int(1, 4));
      await publish(nats.js, eventsSubject(settings.subjectPrefix, tenants[i]!), run);
    }
    await waitConsumed(nats.jsm, settings, 45_000);
    const consumedIn = Date.now() - published;

    for (const [i, tenant] of tenants.entries()) {
      // Read back through the instance that created the tenant (half of them through each).
      await expectAppliedExactlyOnce(db.sql, admins[i]!, tenant, events[i]!);
      expect(await readSubject(nats.jsm, settings.stream, rejectedSubject(settings.subjectPrefix, tenant))).toEqual([]);
    }

    await Promise.all(servers.map((server) => server.stop()));
    const counts = servers.map((server) => {
      const line =
        /nats: stopped after applying (\d+) messages \((\d+) read ahead from the stream for order; (\d+) deliveries of applied messages acked; (\d+) failed\)/.exec(
          server.output(),
        );
      expect(line).not.toBeNull();
      return {
        applied: Number(line![1]),
        readAhead: Number(line![2]),
        ackedAsApplied: Number(line![3]),
        failed: Number(line![4]),
      };
    });
    // Both took part. (A message both raced for may be counted by each: the log above is the proof.)
    for (const count of counts) expect(count.applied).toBeGreaterThan(0);
    expect(counts[0]!.applied + counts[1]!.applied).toBeGreaterThanOrEqual(total);
    console.log(
      `two instances: ${tenants.length} tenants, ${events.flat().length} events in ${total} messages, consumed in ${consumedIn} ms; per instance ${JSON.stringify(counts)}; test ${Date.now() - t0} ms`,
    );
  });
});
