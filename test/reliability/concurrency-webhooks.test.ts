import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchema, type TestSchema } from '../nats/support/postgres.ts';
import { createTenantOver, Http } from '../nats/support/server.ts';
import { WORKLOAD_PLAN, workload } from '../nats/support/workload.ts';
import { startInstance, type Instance } from './concurrency-support.ts';
import { recordConcurrency } from './concurrency-figures.ts';

/**
 * Webhooks are fed by the transactional outbox: the instance applying an event writes its
 * notifications in the same transaction. Each instance must know that the tenant has a webhook,
 * also when the webhook was created through another instance after it started.
 */
describe('a webhook created through one instance (PostgreSQL, 2 instances)', () => {
  let db: TestSchema;
  const instances: Instance[] = [];

  beforeAll(async () => {
    db = await createSchema('hooks');
    for (const name of ['a', 'b']) instances.push(await startInstance(name, { databaseUrl: db.url }));
  });

  afterAll(async () => {
    for (const instance of instances) await instance.close().catch(() => undefined);
    await db?.drop();
  });

  it('is notified of the events the other instance applies', async () => {
    const admin = await createTenantOver(instances[0]!.url, 'hooked', WORKLOAD_PLAN);
    const [a, b] = instances.map((instance) => new Http(instance.url, admin.key));
    const events = workload(80, 5, { ids: true });
    // Instance b has the tenant's engine loaded before the webhook exists.
    await b!.ok('POST', '/v1/events', { events: events.slice(0, 40) });
    await a!.ok('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', topics: ['award.created'] }, 201);
    await b!.ok('POST', '/v1/events', { events: events.slice(40) });

    const count = async (sql: string) => Number((await db.sql.query<{ n: string }>(sql, ['hooked'])).rows[0]!.n);
    const webhookAfter = await count(`select seq::text as n from events where tenant_id = $1 order by seq offset 39 limit 1`);
    const paidAfter = await count(
      `select count(*)::text as n from events where tenant_id = $1 and type = 'order.paid' and seq > ${webhookAfter}`,
    );
    const notified = await count(
      `select count(*)::text as n from outbox where tenant_id = $1 and topic = 'award.created' and event_seq > ${webhookAfter}`,
    );
    expect(paidAfter).toBeGreaterThan(0);
    expect(notified).toBeGreaterThanOrEqual(paidAfter); // every order paid pays someone under this plan
    recordConcurrency('tenants-c-webhook-postgres', {
      backend: 'PostgreSQL, 2 instances',
      case: 'webhook created through instance a, events applied by instance b',
      detail: `${notified} award.created notifications in the outbox for the ${paidAfter} orders paid after the webhook was created`,
    });
  });
});
