import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsSubject, rejectedSubject, type NatsSettings } from '../../src/ingest/nats-settings.ts';
import { Random } from '../../src/sim/random.ts';
import { expectAppliedExactlyOnce } from '../nats/support/checks.ts';
import { connectNats, publish, readSubject, uniqueSettings, waitConsumed, type TestNats } from '../nats/support/nats.ts';
import { createSchema, type TestSchema } from '../nats/support/postgres.ts';
import { createTenantOver, Http } from '../nats/support/server.ts';
import { WORKLOAD_PLAN, workload } from '../nats/support/workload.ts';
import { atOnce, eventually, shuffled, startInstance, type Instance } from './concurrency-support.ts';
import { recordConcurrency } from './concurrency-figures.ts';

type Result = { status: 'accepted'; seq: number } | { status: 'duplicate' } | { status: 'rejected'; error: { code: string } };

/** Where one copy of a unit of events goes: the HTTP API of an instance, or the NATS stream. */
type Channel = { kind: 'http'; instance: number } | { kind: 'nats' };

interface Deployment {
  readonly instances: readonly Instance[];
  /** Admin clients of a tenant, one per instance. */
  clients(tenant: string): Promise<Http[]>;
  readonly nats: { readonly client: TestNats; readonly settings: NatsSettings } | null;
}

/** POSTs a unit as one event (the bare object) or as a batch; answers the per-event results. */
async function postUnit(http: Http, unit: readonly unknown[], asBatch: boolean): Promise<Result[]> {
  const body = unit.length === 1 && !asBatch ? unit[0] : { events: unit };
  const reply = await http.ok<{ results: Result[] }>('POST', '/v1/events', body);
  return reply.results;
}

/** Is the event with this id in the tenant's log? */
async function logged(instance: Instance, tenant: string, id: string): Promise<boolean> {
  const rows = (await instance.sql.query('select 1 from events where tenant_id = $1 and event_key = $2', [tenant, `id:${id}`]))
    .rows;
  return rows.length > 0;
}

interface Tally {
  units: number;
  copies: number;
  /** Events times the channels carrying them. */
  eventCopies: number;
  httpAccepted: number;
  httpDuplicates: number;
}

/**
 * Sends a tenant's events in units of 1–5, each unit through a seeded random non-empty set of
 * channels at the same moment (sometimes the same instance twice). The next unit goes once this
 * one is applied: through an HTTP copy's answer, or seen in the log when only NATS carried it,
 * since a tenant's events are applied in time order. Every HTTP answer must be accepted or
 * duplicate, and each event accepted at most once over all copies.
 */
async function sendWithDuplicates(
  deployment: Deployment,
  tenant: string,
  events: readonly Record<string, unknown>[],
  seed: number,
): Promise<Tally> {
  const random = new Random(seed);
  const clients = await deployment.clients(tenant);
  const all: Channel[] = [
    ...clients.map((_, instance) => ({ kind: 'http' as const, instance })),
    ...(deployment.nats ? [{ kind: 'nats' as const }] : []),
  ];
  const tally: Tally = { units: 0, copies: 0, eventCopies: 0, httpAccepted: 0, httpDuplicates: 0 };
  for (let start = 0; start < events.length;) {
    const unit = events.slice(start, start + random.int(1, 5));
    start += unit.length;
    const channels = shuffled(all, random).slice(0, random.int(1, all.length));
    if (random.chance(0.3)) channels.push(random.pick(all)); // the same channel twice (a client's retry)
    const tasks = channels.map((channel) => async (): Promise<Result[] | null> => {
      if (channel.kind === 'nats') {
        await publish(deployment.nats!.client.js, eventsSubject(deployment.nats!.settings.subjectPrefix, tenant), [
          unit.length === 1 ? unit[0] : unit,
        ]);
        return null;
      }
      return postUnit(clients[channel.instance]!, unit, random.chance(0.5));
    });
    const answers = (await atOnce(tasks)).filter((answer): answer is Result[] => answer !== null);
    unit.forEach((_, index) => {
      const statuses = answers.map((answer) => answer[index]!.status);
      expect(statuses.every((status) => status === 'accepted' || status === 'duplicate')).toBe(true);
      expect(statuses.filter((status) => status === 'accepted').length).toBeLessThanOrEqual(1);
    });
    const flat = answers.flat();
    tally.units += 1;
    tally.copies += channels.length;
    tally.eventCopies += channels.length * unit.length;
    tally.httpAccepted += flat.filter((r) => r.status === 'accepted').length;
    tally.httpDuplicates += flat.filter((r) => r.status === 'duplicate').length;
    if (answers.length === 0) {
      const lastId = String(unit[unit.length - 1]!.id);
      await eventually(() => logged(deployment.instances[0]!, tenant, lastId), 30_000, `event ${lastId} through NATS`);
    }
  }
  return tally;
}

describe('the same events through HTTP on two instances and NATS at once (PostgreSQL)', () => {
  let db: TestSchema;
  let nats: TestNats;
  let settings: NatsSettings;
  const instances: Instance[] = [];
  let deployment: Deployment;

  beforeAll(async () => {
    settings = uniqueSettings(5_000);
    db = await createSchema('dup');
    nats = await connectNats(settings);
    for (const name of ['a', 'b']) instances.push(await startInstance(name, { databaseUrl: db.url, nats: settings }));
    const admins = new Map<string, string>();
    deployment = {
      instances,
      nats: { client: nats, settings },
      async clients(tenant) {
        if (!admins.has(tenant)) admins.set(tenant, (await createTenantOver(instances[0]!.url, tenant, WORKLOAD_PLAN)).key);
        return instances.map((instance) => new Http(instance.url, admins.get(tenant)!));
      },
    };
  });

  afterAll(async () => {
    for (const instance of instances) await instance.close().catch(() => undefined);
    await nats?.close();
    await db?.drop();
  });

  it('one event sent four times at once is applied once; every other copy is a duplicate', async () => {
    const tenant = 'dup-one';
    const [a, b] = await deployment.clients(tenant);
    const events = workload(41, 7, { ids: true });
    const [prefix, last] = [events.slice(0, 40), events[40]!];
    await postUnit(a!, prefix, true);
    const answers = await atOnce<Result[] | null>([
      () => postUnit(a!, [last], false),
      () => postUnit(b!, [last], false),
      () => postUnit(b!, [last], true),
      async () => (await publish(nats.js, eventsSubject(settings.subjectPrefix, tenant), [last]), null),
    ]);
    await waitConsumed(nats.jsm, settings, 30_000);
    const statuses = answers.flatMap((answer) => answer ?? []).map((r) => r.status);
    expect(statuses.filter((s) => s === 'accepted').length).toBeLessThanOrEqual(1);
    expect(statuses.filter((s) => s !== 'accepted').every((s) => s === 'duplicate')).toBe(true);
    await expectAppliedExactlyOnce(db.sql, a!, tenant, events);
    expect(await readSubject(nats.jsm, settings.stream, rejectedSubject(settings.subjectPrefix, tenant))).toEqual([]);
  });

  it('many events, each through a seeded random set of channels at once, are applied once and in order', async () => {
    const started = Date.now();
    const tenants = [
      { tenant: 'dup-many-1', seed: 11 },
      { tenant: 'dup-many-2', seed: 12 },
      { tenant: 'dup-many-3', seed: 13 },
    ];
    const streams = tenants.map(({ seed }) => workload(300, seed, { ids: true }));
    // The tenants side by side, each with its own interleaving.
    const tallies = await Promise.all(
      tenants.map(({ tenant, seed }, i) => sendWithDuplicates(deployment, tenant, streams[i]!, seed)),
    );
    await waitConsumed(nats.jsm, settings, 60_000);
    for (const [i, { tenant }] of tenants.entries()) {
      const [a] = await deployment.clients(tenant);
      await expectAppliedExactlyOnce(db.sql, a!, tenant, streams[i]!);
      expect(await readSubject(nats.jsm, settings.stream, rejectedSubject(settings.subjectPrefix, tenant))).toEqual([]);
    }
    const sum = (key: keyof Tally) => tallies.reduce((total, t) => total + t[key], 0);
    const counters = instances.map((instance) => instance.nats!.counters);
    recordConcurrency('duplicates-postgres', {
      backend: 'PostgreSQL, 2 instances + NATS',
      events: streams.flat().length,
      units: sum('units'),
      copies: sum('copies'),
      eventCopies: sum('eventCopies'),
      duplicatesAnswered: sum('httpDuplicates'),
      natsMessages: counters.reduce((total, c) => total + c.messages + c.redelivered, 0),
      ms: Date.now() - started,
    });
  });
});

describe('the same events through two Services on one PGlite database at once', () => {
  const instances: Instance[] = [];
  let deployment: Deployment;

  beforeAll(async () => {
    const first = await startInstance('a');
    instances.push(first, await startInstance('b', { sql: first.sql }));
    const admins = new Map<string, string>();
    deployment = {
      instances,
      nats: null,
      async clients(tenant) {
        if (!admins.has(tenant)) admins.set(tenant, (await createTenantOver(instances[0]!.url, tenant, WORKLOAD_PLAN)).key);
        return instances.map((instance) => new Http(instance.url, admins.get(tenant)!));
      },
    };
  });

  afterAll(async () => {
    for (const instance of [...instances].reverse()) await instance.close().catch(() => undefined);
  });

  it('applies every event once and in order, answering the other copies duplicate', async () => {
    const started = Date.now();
    const tenants = [
      { tenant: 'dup-lite-1', seed: 21 },
      { tenant: 'dup-lite-2', seed: 22 },
    ];
    const streams = tenants.map(({ seed }) => workload(200, seed, { ids: true }));
    const tallies = await Promise.all(
      tenants.map(({ tenant, seed }, i) => sendWithDuplicates(deployment, tenant, streams[i]!, seed)),
    );
    for (const [i, { tenant }] of tenants.entries()) {
      const [a] = await deployment.clients(tenant);
      await expectAppliedExactlyOnce(instances[0]!.sql, a!, tenant, streams[i]!);
    }
    const sum = (key: keyof Tally) => tallies.reduce((total, t) => total + t[key], 0);
    expect(sum('httpAccepted')).toBe(streams.flat().length); // no NATS here: every event accepted by exactly one copy
    recordConcurrency('duplicates-pglite', {
      backend: 'PGlite, 2 Services on one database',
      events: streams.flat().length,
      units: sum('units'),
      copies: sum('copies'),
      eventCopies: sum('eventCopies'),
      duplicatesAnswered: sum('httpDuplicates'),
      natsMessages: 0,
      ms: Date.now() - started,
    });
  });
});
