import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { eventsSubject, rejectedSubject, type NatsSettings } from '../../src/ingest/nats-settings.ts';
import { Random } from '../../src/sim/random.ts';
import { natsEnv, readSubject, waitConsumed } from '../nats/support/nats.ts';
import { createSchema } from '../nats/support/postgres.ts';
import { createTenantOver } from '../nats/support/server.ts';
import { WORKLOAD_PLAN, workload } from '../nats/support/workload.ts';
import { expectRecovered, FAULTS, loggedCount, until } from './support/faults/checks.ts';
import { Cleanups } from './support/faults/cleanup.ts';
import { fenyongProcess } from './support/faults/fenyong.ts';
import { recordFaultFigures } from './support/faults/figures.ts';
import { startPrivateNats } from './support/faults/nats.ts';
import { asMessages, describeFailures, newClientLog, publishInOrder } from './support/faults/producers.ts';

const cleanups = new Cleanups();
afterAll(() => cleanups.run());

describe.skipIf(!FAULTS)('NATS restarted in the middle of a stream', () => {
  it('the consumer reconnects by itself; nothing is lost or applied twice', async () => {
    const t0 = Date.now();
    const nats = await startPrivateNats('restart', cleanups);
    const db = await createSchema('faultsnats');
    cleanups.add(
      'schema',
      () => db.drop(),
      () => undefined,
    );
    const settings: NatsSettings = {
      url: nats.url,
      stream: 'FYFAULTS',
      subjectPrefix: 'fyfaults',
      durable: 'fyfaults',
      ackWaitMs: 5000,
    };
    const server = await fenyongProcess('nats-restart', { DATABASE_URL: db.url, ...natsEnv(settings) }, cleanups);
    await server.start();
    const tenants = ['north', 'south'];
    const admins = await Promise.all(tenants.map((tenant) => createTenantOver(server.url, tenant, WORKLOAD_PLAN)));

    // No event ids: only the committed stream offset keeps a redelivered message from applying twice.
    const events = tenants.map((_, i) => workload(3000, 41 + i, { ids: false }));
    const random = new Random(43);
    const messages = events.map((list) => asMessages(list, (a, b) => random.int(a, b), 8));
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1 });
    cleanups.add(
      'nats client',
      () => nc.close(),
      () => undefined,
    );
    const js = jetstream(nc);
    const log = newClientLog();
    const publishing = tenants.map((tenant, i) =>
      publishInOrder(js, eventsSubject(settings.subjectPrefix, tenant), messages[i]!, {
        idPrefix: tenant,
        log,
        pauseMs: () => 3,
      }),
    );

    // Two restarts in the middle of the stream: a graceful stop, then a SIGKILL, each 2 s down.
    const restarts: { how: string; loggedBefore: number; downMs: number }[] = [];
    const logged = async () => (await loggedCount(db.sql, 'north'))! + (await loggedCount(db.sql, 'south'))!;
    for (const [i, how] of (['SIGTERM', 'SIGKILL'] as const).entries()) {
      await until(async () => (await logged()) >= (i + 1) * 1500, 240_000, 'events logged');
      const loggedBefore = await logged();
      const down = Date.now();
      await (how === 'SIGTERM' ? nats.stop() : nats.kill());
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await nats.start();
      restarts.push({ how, loggedBefore, downMs: Date.now() - down });
    }
    await Promise.all(publishing);
    const jsm = await jetstreamManager(nc);
    await waitConsumed(jsm, settings, 240_000);
    const doneIn = Date.now() - t0;

    // The stream holds each message once (publications retried with their message id), and the
    // database each event once, in order.
    for (const [i, tenant] of tenants.entries()) {
      const stored = await readSubject(jsm, settings.stream, eventsSubject(settings.subjectPrefix, tenant));
      expect(stored.map((m) => m.body)).toEqual(messages[i]);
      expect(await readSubject(jsm, settings.stream, rejectedSubject(settings.subjectPrefix, tenant))).toEqual([]);
    }
    expect(server.running()).toBe(true);
    expect(server.starts).toBe(1);
    const report = await expectRecovered(
      db.url,
      tenants.map((tenant, i) => ({ tenant, http: admins[i]!, events: events[i]! })),
    );
    await server.stop();
    const output = server.output();
    const reconnects = (output.match(/nats: consumer stopped, restarting/g) ?? []).length;
    const summary = /nats: stopped after .*/.exec(output)?.[0] ?? '';
    console.log(
      `nats restarts: ${JSON.stringify(restarts)}; publisher failures: ${describeFailures(log)}; consumer restarts ${reconnects}; ${summary}; ${doneIn} ms\n${report}`,
    );

    recordFaultFigures(
      'faults',
      '2-nats',
      [
        '### NATS restarted in the middle of a stream (`test/reliability/faults-nats.test.ts`)',
        '',
        `- ${events.flat().length} events without ids, in ${messages.flat().length} messages to two tenants, published to a private nats-server restarted twice while fenyong consumed: ${restarts.map((r) => `${r.how} after ${r.loggedBefore} events logged (${r.downMs} ms down)`).join('; ')}.`,
        `- Publisher (retrying with message ids): ${log.attempts} publications for ${messages.flat().length} messages; failures seen: ${describeFailures(log)}.`,
        `- fenyong's consumer came back by itself (${reconnects} consumer restarts logged, the process never restarted); ${summary.replace('nats: ', '')}.`,
        `- Afterwards: the stream holds each message once, each tenant's log is exactly its events in order, awards and balances equal a clean replay, \`fenyong verify\` exit 0. Total ${(doneIn / 1000).toFixed(1)} s.`,
      ].join('\n'),
    );
  });
});
