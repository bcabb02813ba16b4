import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { eventsSubject, rejectedSubject, type NatsSettings } from '../../src/ingest/nats-settings.ts';
import { Random } from '../../src/sim/random.ts';
import { postgresSql } from '../../src/store/postgres.ts';
import { natsEnv, readSubject, waitConsumed } from '../nats/support/nats.ts';
import { createTenantOver, Http } from '../nats/support/server.ts';
import { WORKLOAD_PLAN, workload } from '../nats/support/workload.ts';
import { expectRecovered, FAULTS, loggedCount, until } from './support/faults/checks.ts';
import { Cleanups } from './support/faults/cleanup.ts';
import { fenyongProcess, type FenyongProcess } from './support/faults/fenyong.ts';
import { recordFaultFigures } from './support/faults/figures.ts';
import { startNatsCluster, type PrivateNats } from './support/faults/nats.ts';
import { startPrivatePostgres, type PrivatePostgres } from './support/faults/postgres.ts';
import { asMessages, describeFailures, newClientLog, publishInOrder } from './support/faults/producers.ts';

const cleanups = new Cleanups();
afterAll(() => cleanups.run());

/**
 * One shard of the deployment (docs/scaling.md): a database, the tenants it holds, and the fenyong
 * processes serving it, which consume only its tenants' subjects (`<prefix>.<tenant>.events`) from
 * its own stream, replicated on the three NATS nodes, through one durable consumer they share.
 */
interface Shard {
  readonly name: string;
  readonly db: PrivatePostgres;
  readonly settings: NatsSettings;
  readonly tenants: readonly string[];
  readonly servers: FenyongProcess[];
}

const EVENTS_PER_TENANT = 2500;

describe.skipIf(!FAULTS)('scaled-out deployment on loopback', () => {
  it('3 NATS nodes, 2 databases, 3 fenyong processes: one NATS node and one fenyong killed mid-stream, every tenant exact', async () => {
    const t0 = Date.now();
    const nodes = await startNatsCluster('cluster', 3, cleanups);
    const natsUrl = nodes.map((node) => node.url).join(',');
    const shards: Shard[] = [];
    for (const [name, tenants, instances] of [
      ['a', ['acme', 'bolt'], 2],
      ['b', ['cora', 'dune'], 1],
    ] as const) {
      const db = await startPrivatePostgres(`shard-${name}`, cleanups);
      const settings: NatsSettings = {
        url: natsUrl,
        stream: `FYSHARD_${name.toUpperCase()}`,
        subjectPrefix: `fy${name}`,
        durable: `fy${name}`,
        ackWaitMs: 4000,
        replicas: 3,
      };
      const env = { DATABASE_URL: db.url, ...natsEnv(settings), FENYONG_NATS_REPLICAS: '3' };
      const servers: FenyongProcess[] = [];
      for (let i = 1; i <= instances; i++) servers.push(await fenyongProcess(`${name}${i}`, env, cleanups));
      shards.push({ name, db, settings, tenants, servers });
    }
    const allServers = shards.flatMap((shard) => shard.servers);
    for (const server of allServers) await server.start(); // one after the other: the first creates its shard's stream
    const admins = new Map<string, Http>();
    for (const shard of shards)
      for (const tenant of shard.tenants)
        admins.set(tenant, await createTenantOver(shard.servers[0]!.url, tenant, WORKLOAD_PLAN));

    const random = new Random(61);
    const events = new Map<string, Record<string, unknown>[]>();
    const messages = new Map<string, unknown[]>();
    for (const [i, tenant] of ['acme', 'bolt', 'cora', 'dune'].entries()) {
      events.set(tenant, workload(EVENTS_PER_TENANT, 62 + i, { ids: false }));
      messages.set(
        tenant,
        asMessages(events.get(tenant)!, (a, b) => random.int(a, b), 6),
      );
    }
    const nc = await connect({ servers: nodes.map((node) => node.url), maxReconnectAttempts: -1 });
    cleanups.add(
      'nats client',
      () => nc.close(),
      () => undefined,
    );
    const js = jetstream(nc, { timeout: 5000 });
    const log = newClientLog();
    // The four tenants' publishers side by side (each in order on its own subject).
    const publishing = shards.flatMap((shard) =>
      shard.tenants.map((tenant) =>
        publishInOrder(js, eventsSubject(shard.settings.subjectPrefix, tenant), messages.get(tenant)!, {
          idPrefix: tenant,
          log,
          pauseMs: () => 6,
        }),
      ),
    );

    // When 40% of all events are applied: SIGKILL the NATS node leading shard a's stream, and the
    // fenyong process a1 (shard a goes on with a2; its messages held by a1 are redelivered).
    const pools = shards.map((shard) => postgresSql(shard.db.url, { max: 1 }));
    for (const pool of pools)
      cleanups.add(
        'pool',
        () => pool.close(),
        () => undefined,
      );
    const applied = async () => {
      let sum = 0;
      for (const [s, shard] of shards.entries())
        for (const tenant of shard.tenants) sum += (await loggedCount(pools[s]!, tenant)) ?? 0;
      return sum;
    };
    const total = 4 * EVENTS_PER_TENANT;
    await until(async () => (await applied()) >= total * 0.4, 300_000, '40% of the events applied');
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const leader = (await jsm.streams.info(shards[0]!.settings.stream)).cluster?.leader;
    const victim: PrivateNats = nodes.find((node) => node.name === leader) ?? nodes[0]!;
    const appliedAtKill = await applied();
    await Promise.all([victim.kill(), shards[0]!.servers[0]!.kill()]);
    const killedAt = Date.now();

    await Promise.all(publishing);
    for (const shard of shards) await waitConsumed(jsm, shard.settings, 300_000);
    const consumedIn = Date.now() - t0;
    const recoveredIn = Date.now() - killedAt;

    const reports: string[] = [];
    for (const [s, shard] of shards.entries()) {
      for (const tenant of shard.tenants) {
        expect(await readSubject(jsm, shard.settings.stream, rejectedSubject(shard.settings.subjectPrefix, tenant))).toEqual([]);
      }
      // Read back through a live process of the shard (a2 for shard a).
      const live = shard.servers.filter((server) => server.running());
      expect(live.length).toBeGreaterThan(0);
      reports.push(
        await expectRecovered(
          shard.db.url,
          shard.tenants.map((tenant) => ({
            tenant,
            http: new Http(live[0]!.url, admins.get(tenant)!.key),
            events: events.get(tenant)!,
          })),
        ),
      );
      // Each database holds only its own shard's tenants.
      const held = (await pools[s]!.query<{ id: string }>('select id from tenants order by id')).rows.map((row) => row.id);
      expect(held).toEqual([...shard.tenants].sort());
    }
    const survivors = allServers.filter((server) => server.running());
    await Promise.all(survivors.map((server) => server.stop()));
    const summaries = survivors.map(
      (server) => `${server.name}: ${/nats: stopped after applying (\d+) messages/.exec(server.output())?.[1] ?? '?'} messages`,
    );
    console.log(
      `cluster: killed NATS ${victim.name} (leader of ${shards[0]!.settings.stream}) and fenyong a1 at ${appliedAtKill}/${total} events; all consumed ${recoveredIn} ms later; ${summaries.join(', ')}; publisher failures ${describeFailures(log)}; ${consumedIn} ms\n${reports.join('\n')}`,
    );

    recordFaultFigures(
      'cluster',
      'cluster',
      [
        `- ${total} events (4 tenants × ${EVENTS_PER_TENANT}, no ids) in ${[...messages.values()].reduce((n, list) => n + list.length, 0)} messages, published side by side to two streams with 3 replicas each (\`FENYONG_NATS_REPLICAS=3\`): shard a (tenants acme, bolt; PostgreSQL A; fenyong a1, a2 sharing the durable consumer \`fya\`) and shard b (cora, dune; PostgreSQL B; fenyong b1).`,
        `- At ${appliedAtKill} events applied, SIGKILL of NATS node ${victim.name} (the leader of shard a's stream) and of fenyong a1, at once. Publishers (retrying with message ids) saw: ${describeFailures(log)}.`,
        `- Everything was consumed ${(recoveredIn / 1000).toFixed(1)} s after the kills (${(consumedIn / 1000).toFixed(1)} s from the start of the test); messages applied per surviving process: ${summaries.join(', ')}.`,
        "- Afterwards, on both databases: each tenant's log is exactly its events, once each and in publication order; awards and balances equal a clean replay; each database holds only its shard's tenants; `fenyong verify` exit 0 on both.",
      ].join('\n'),
    );
  });
});
