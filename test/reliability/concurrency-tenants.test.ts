import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockKey } from '../../src/service/service.ts';
import { Random } from '../../src/sim/random.ts';
import type { Sql } from '../../src/store/sql.ts';
import { expectAppliedExactlyOnce } from '../nats/support/checks.ts';
import { createSchema, type TestSchema } from '../nats/support/postgres.ts';
import { createTenantOver, Http, PLATFORM_TOKEN } from '../nats/support/server.ts';
import { WORKLOAD_PLAN, workload } from '../nats/support/workload.ts';
import { atOnce, startInstance, type Instance } from './concurrency-support.ts';
import { recordConcurrency } from './concurrency-figures.ts';

interface Deployment {
  readonly label: string;
  readonly key: string;
  start(): Promise<{ instances: Instance[]; sql: Sql; url?: string }>;
  cleanup(): Promise<void>;
}

const deployments: Deployment[] = [
  (() => {
    let db: TestSchema;
    return {
      label: 'PostgreSQL, 2 instances',
      key: 'postgres',
      async start() {
        db = await createSchema('tenants');
        return {
          instances: [await startInstance('a', { databaseUrl: db.url }), await startInstance('b', { databaseUrl: db.url })],
          sql: db.sql,
          url: db.url,
        };
      },
      cleanup: () => db?.drop() ?? Promise.resolve(),
    };
  })(),
  {
    label: 'PGlite, 2 Services on one database',
    key: 'pglite',
    async start() {
      const first = await startInstance('a');
      return { instances: [first, await startInstance('b', { sql: first.sql })], sql: first.sql };
    },
    cleanup: async () => undefined,
  },
];

/** Sends a tenant's events in units of 1–20, each through a seeded random instance, one unit after the other. */
async function drive(clients: readonly Http[], events: readonly unknown[], seed: number): Promise<void> {
  const random = new Random(seed);
  for (let start = 0; start < events.length;) {
    const unit = events.slice(start, start + random.int(1, 20));
    start += unit.length;
    const reply = await random.pick(clients).ok<{ results: { status: string }[] }>('POST', '/v1/events', { events: unit });
    expect(reply.results.map((r) => r.status)).toEqual(unit.map(() => 'accepted'));
  }
}

/** Whether a promise has settled by now (after the pending callbacks ran). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe.each(deployments)('tenants side by side: $label', (deployment) => {
  let instances: Instance[] = [];
  let sql: Sql;
  let url: string | undefined;
  const clients = new Map<string, Http[]>();

  beforeAll(async () => {
    ({ instances, sql, url } = await deployment.start());
  });

  afterAll(async () => {
    for (const instance of [...instances].reverse()) await instance.close().catch(() => undefined);
    await deployment.cleanup();
  });

  async function tenant(id: string): Promise<Http[]> {
    if (!clients.has(id)) {
      const admin = await createTenantOver(instances[0]!.url, id, WORKLOAD_PLAN);
      clients.set(
        id,
        instances.map((instance) => new Http(instance.url, admin.key)),
      );
    }
    return clients.get(id)!;
  }

  it('a tenant held busy on one instance (and locked by another, on PostgreSQL) holds up no other tenant', async () => {
    const busy = await tenant('busy');
    const [busyEvent] = workload(1, 40, { ids: true });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Instance a is in the middle of something for "busy" (its queue is held)…
    const held = instances[0]!.service.read('busy', () => gate);
    // …and on PostgreSQL another instance holds its advisory lock, as during a long batch.
    const locker = url ? new pg.Client({ connectionString: url }) : null;
    await locker?.connect();
    await locker?.query('select pg_advisory_lock($1)', [lockKey('busy')]);
    // The same event through both instances: once applied, once a duplicate, whichever goes first.
    const waiting = [
      busy[0]!.ok('POST', '/v1/events', busyEvent),
      ...(locker ? [busy[1]!.ok('POST', '/v1/events', busyEvent)] : []),
    ];

    const others = ['free-1', 'free-2', 'free-3', 'free-4'];
    const streams = others.map((_, i) => workload(120, 50 + i, { ids: true }));
    await Promise.all(others.map(async (id, i) => drive(await tenant(id), streams[i]!, 60 + i)));
    for (const [i, id] of others.entries()) await expectAppliedExactlyOnce(sql, (await tenant(id))[1]!, id, streams[i]!);
    const stillWaiting = (await Promise.all(waiting.map(settled))).every((done) => !done);
    expect(stillWaiting).toBe(true);

    release();
    await held;
    await locker?.query('select pg_advisory_unlock($1)', [lockKey('busy')]);
    await locker?.end();
    const answers = (await Promise.all(waiting)) as { results: { status: string }[] }[];
    expect(answers.map((a) => a.results[0]!.status).sort()).toEqual(locker ? ['accepted', 'duplicate'] : ['accepted']);
    await expectAppliedExactlyOnce(sql, busy[0]!, 'busy', [busyEvent!]);
    recordConcurrency(`tenants-a-busy-${deployment.key}`, {
      backend: deployment.label,
      case: 'one tenant held (queue of instance a' + (locker ? ', advisory lock taken by another session' : '') + ')',
      detail: `${others.length} other tenants took ${streams.flat().length} events through both instances meanwhile; the held tenant's writes waited, then applied`,
    });
  });

  it('the same tenant created through both instances at once is created once; the other gets conflict', async () => {
    for (let round = 0; round < 3; round++) {
      const body = { id: `twice-${round}`, name: 'Twice', plan: WORKLOAD_PLAN, allowRefused: true };
      const replies = await atOnce(
        instances.map(
          (instance) => () =>
            new Http(instance.url, PLATFORM_TOKEN).request<{ error?: { code: string } }>('POST', '/v1/tenants', body),
        ),
      );
      expect(replies.map((r) => [r.status, r.body.error?.code]).sort()).toEqual([
        [201, undefined],
        [409, 'conflict'],
      ]);
      const versions = (
        await sql.query<{ n: string }>('select count(*)::text as n from plan_versions where tenant_id = $1', [body.id])
      ).rows[0]!.n;
      expect(versions).toBe('1');
    }
    recordConcurrency(`tenants-d-create-${deployment.key}`, {
      backend: deployment.label,
      case: 'the same tenant created through both instances at once, 3 rounds',
      detail:
        'each time one 201 and one 409 conflict (before the fix, on PostgreSQL: a 500 from the unique key), one plan version',
    });
  });

  it('writes to many tenants at once, with the same member and order ids, never leak into each other', async () => {
    const ids = ['shop-1', 'shop-2', 'shop-3', 'shop-4', 'shop-5', 'shop-6'];
    // Same member ids (L000…) and order ids (O…) in every tenant; different amounts, moves and levels.
    const streams = ids.map((_, i) => workload(200, 70 + i, { ids: true }));
    await Promise.all(ids.map(async (id, i) => drive(await tenant(id), streams[i]!, 80 + i)));
    for (const [i, id] of ids.entries()) {
      // Read back through the other instance: its engine catches up from the log.
      await expectAppliedExactlyOnce(sql, (await tenant(id))[(i + 1) % 2]!, id, streams[i]!);
    }
    const rows = (
      await sql.query<{ tenant_id: string; n: string }>(
        `select tenant_id, count(*)::text as n from events where tenant_id like 'shop-%' group by tenant_id order by tenant_id`,
      )
    ).rows;
    expect(rows.map((r) => [r.tenant_id, Number(r.n)])).toEqual(ids.map((id, i) => [id, streams[i]!.length]));
    recordConcurrency(`tenants-b-leak-${deployment.key}`, {
      backend: deployment.label,
      case: `${ids.length} tenants written at once, same member and order ids`,
      detail: `${streams.flat().length} events; each tenant's log, awards and balances equal its own clean replay; verify clean`,
    });
  });
});
