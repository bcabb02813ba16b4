import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsIngest } from '../../src/ingest/nats.ts';
import type { Rejection } from '../../src/ingest/nats-rejected.ts';
import { eventsSubject, rejectedSubject } from '../../src/ingest/nats-settings.ts';
import { loadScenario, type Scenario } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/scenario/run.ts';
import { Service } from '../../src/service/service.ts';
import { createTenant } from '../../src/service/tenants.ts';
import { verifyTenant } from '../../src/service/verify.ts';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';
import { connectNats, publish, readSubject, uniqueSettings, waitConsumed, type TestNats } from './support/nats.ts';
import { engineOutcome, storedOutcome } from './support/outcome.ts';
import { createSchema, type TestSchema } from './support/postgres.ts';

/**
 * Every conformance scenario, published through NATS (one subject per tenant, all tenants
 * interleaved, as single events and as batches), must end exactly as runScenario does: the same
 * awards and balances in the database, and the same rejections on the rejected subject.
 */
const root = join(import.meta.dirname, '..', '..', 'conformance');
const files = ['public', 'own'].flatMap((folder) =>
  readdirSync(join(root, folder))
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => join(folder, name)),
);

interface Published {
  readonly file: string;
  readonly tenant: string;
  readonly scenario: Scenario;
  /** Stream sequence of each message → index of its first event in the scenario. */
  readonly firstEvent: Map<number, number>;
}

/** Splits a scenario's events into messages: one event each, one batch of all, or batches of 2–3. */
function messagesOf(events: readonly unknown[], style: number): { body: unknown; first: number }[] {
  if (style === 0) return events.map((event, i) => ({ body: event, first: i }));
  if (style === 1) return events.length === 0 ? [] : [{ body: events, first: 0 }];
  const messages: { body: unknown; first: number }[] = [];
  for (let i = 0, n = 0; i < events.length; n++) {
    const size = n % 2 === 0 ? 2 : 3;
    messages.push({ body: events.slice(i, i + size), first: i });
    i += size;
  }
  return messages;
}

describe('conformance scenarios through NATS JetStream', () => {
  const settings = uniqueSettings();
  let db: TestSchema;
  let sql: Sql;
  let service: Service;
  let ingest: NatsIngest;
  let nats: TestNats;
  const published: Published[] = [];
  let consumedInMs = 0;

  beforeAll(async () => {
    db = await createSchema('conformance');
    sql = await openDatabase({ databaseUrl: db.url });
    service = new Service(sql);
    nats = await connectNats(settings);
    ingest = await NatsIngest.start(service, settings);

    const plans: { tenant: string; file: string; scenario: Scenario; messages: { body: unknown; first: number }[] }[] = [];
    for (const [i, file] of files.entries()) {
      const scenario = loadScenario(join(root, file));
      const tenant = `s${String(i).padStart(2, '0')}`;
      await createTenant(service, {
        id: tenant,
        name: scenario.name,
        timezone: scenario.timezone,
        currency: scenario.currency,
        plan: scenario.plan,
      });
      if (scenario.members.length > 0) await service.importNetwork(tenant, scenario.members, 'test');
      plans.push({ tenant, file, scenario, messages: messagesOf(scenario.events, i % 3) });
    }
    // Round-robin over the tenants, one message at a time, so that every batch mixes tenants.
    const started = Date.now();
    const longest = Math.max(...plans.map((p) => p.messages.length));
    const firstEvents = new Map(plans.map((p) => [p.tenant, new Map<number, number>()]));
    for (let round = 0; round < longest; round++) {
      for (const plan of plans) {
        const message = plan.messages[round];
        if (!message) continue;
        const [seq] = await publish(nats.js, eventsSubject(settings.subjectPrefix, plan.tenant), [message.body]);
        firstEvents.get(plan.tenant)!.set(seq!, message.first);
      }
    }
    for (const plan of plans)
      published.push({
        file: plan.file,
        tenant: plan.tenant,
        scenario: plan.scenario,
        firstEvent: firstEvents.get(plan.tenant)!,
      });
    await waitConsumed(nats.jsm, settings, 45_000);
    consumedInMs = Date.now() - started;
  }, 60_000);

  afterAll(async () => {
    await ingest?.stop();
    await nats?.close();
    await sql?.close();
    await db?.drop();
  });

  it('consumed every scenario', () => {
    expect(published.length).toBe(files.length);
    expect(ingest.counters.failed).toBe(0);
    console.log(
      `nats conformance: ${files.length} scenarios, ${ingest.counters.messages} messages consumed in ${consumedInMs} ms`,
    );
  });

  it.each(files)('%s', async (file) => {
    const { tenant, scenario, firstEvent } = published.find((p) => p.file === file)!;
    const expected = runScenario(scenario);
    expect(await storedOutcome(sql, tenant, expected.engine.settings.decimals)).toEqual(engineOutcome(expected.engine));

    const rejected = await readSubject<Rejection>(nats.jsm, settings.stream, rejectedSubject(settings.subjectPrefix, tenant));
    const errors = rejected.map(({ body }) => ({
      event: firstEvent.get(body.seq)! + (body.index ?? 0),
      code: body.error.code,
      message: body.error.message,
      ...(body.error.path.length > 0 ? { path: body.error.path } : {}),
    }));
    expect(errors).toEqual(expected.result.errors);

    const report = await verifyTenant(service, tenant);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
