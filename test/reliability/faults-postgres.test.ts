import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { eventsSubject, rejectedSubject, type NatsSettings } from '../../src/ingest/nats-settings.ts';
import { Random } from '../../src/sim/random.ts';
import { postgresSql } from '../../src/store/postgres.ts';
import { natsEnv, readSubject, waitConsumed } from '../nats/support/nats.ts';
import { createTenantOver } from '../nats/support/server.ts';
import { WORKLOAD_PLAN, workload } from '../nats/support/workload.ts';
import { expectRecovered, FAULTS, loggedCount, until } from './support/faults/checks.ts';
import { Cleanups } from './support/faults/cleanup.ts';
import { fenyongProcess } from './support/faults/fenyong.ts';
import { recordFaultFigures } from './support/faults/figures.ts';
import { startPrivateNats } from './support/faults/nats.ts';
import { startPrivatePostgres, type StopMode } from './support/faults/postgres.ts';
import { asMessages, describeFailures, newClientLog, publishInOrder, sendBatches } from './support/faults/producers.ts';

const cleanups = new Cleanups();
afterAll(() => cleanups.run());

describe.skipIf(!FAULTS)('PostgreSQL restarted during ingestion', () => {
  it('clients get 503 storage_unavailable or retry; afterwards every event is applied once and verify is clean', async () => {
    const t0 = Date.now();
    const pg = await startPrivatePostgres('restart', cleanups);
    const nats = await startPrivateNats('pgrestart', cleanups);
    const settings: NatsSettings = {
      url: nats.url,
      stream: 'FYFAULTS',
      subjectPrefix: 'fyfaults',
      durable: 'fyfaults',
      ackWaitMs: 5000,
    };
    const server = await fenyongProcess('pg-restart', { DATABASE_URL: pg.url, ...natsEnv(settings) }, cleanups);
    await server.start();
    const viaHttp = await createTenantOver(server.url, 'shop-http', WORKLOAD_PLAN);
    const viaNats = await createTenantOver(server.url, 'shop-nats', WORKLOAD_PLAN);

    // Events with ids over HTTP (a retried batch is answered duplicate); none over NATS (only the
    // stream offset, committed with the events, keeps a redelivered message from applying twice).
    const httpEvents = workload(4000, 31, { ids: true });
    const natsEvents = workload(4000, 32, { ids: false });
    const random = new Random(33);
    const messages = asMessages(natsEvents, (a, b) => random.int(a, b), 8);
    const nc = await connect({ servers: nats.url });
    cleanups.add(
      'nats client',
      () => nc.close(),
      () => undefined,
    );
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const httpLog = newClientLog();
    const natsLog = newClientLog();
    const sending = sendBatches(() => server.url, viaHttp.key, httpEvents, { batch: 50, log: httpLog, pauseMs: () => 40 });
    const publishing = publishInOrder(js, eventsSubject(settings.subjectPrefix, 'shop-nats'), messages, {
      idPrefix: 'pgrestart',
      log: natsLog,
      pauseMs: () => 4,
    });

    // Three restarts while both streams of events are in flight: two crashes (immediate: recovery
    // from WAL) and one clean shutdown (fast), each with the database away for 1.5 s.
    const watcher = postgresSql(pg.url, { max: 1 });
    cleanups.add(
      'watcher pool',
      () => watcher.close(),
      () => undefined,
    );
    const restarts: { mode: StopMode; loggedBefore: number; downMs: number }[] = [];
    for (const [i, mode] of (['immediate', 'fast', 'immediate'] as const).entries()) {
      const target = (restarts[i - 1]?.loggedBefore ?? 0) + 900; // each restart 900 events after the one before
      await until(
        async () => ((await loggedCount(watcher, 'shop-http')) ?? 0) + ((await loggedCount(watcher, 'shop-nats')) ?? 0) >= target,
        240_000,
        `${target} events logged`,
      );
      const loggedBefore = ((await loggedCount(watcher, 'shop-http')) ?? 0) + ((await loggedCount(watcher, 'shop-nats')) ?? 0);
      const down = Date.now();
      await pg.restart(mode, 1500);
      restarts.push({ mode, loggedBefore, downMs: Date.now() - down });
    }
    await Promise.all([sending, publishing]);
    await waitConsumed(jsm, settings, 240_000);
    const doneIn = Date.now() - t0;

    // The server lived through it all (no crash, no restart of its own) and clients only ever saw
    // the clean storage error; every HTTP event was answered accepted or duplicate in the end.
    expect(server.running()).toBe(true);
    expect(server.starts).toBe(1);
    expect([...httpLog.failures.keys()].filter((what) => what !== '503 storage_unavailable')).toEqual([]);
    expect(httpLog.failures.get('503 storage_unavailable') ?? 0).toBeGreaterThan(0);
    expect(httpLog.statuses.length).toBe(httpEvents.length);
    expect(httpLog.statuses.filter((s) => s !== 'accepted' && s !== 'duplicate')).toEqual([]);
    expect(await readSubject(jsm, settings.stream, rejectedSubject(settings.subjectPrefix, 'shop-nats'))).toEqual([]);
    const report = await expectRecovered(pg.url, [
      { tenant: 'shop-http', http: viaHttp, events: httpEvents },
      { tenant: 'shop-nats', http: viaNats, events: natsEvents },
    ]);
    const redelivered = /nats: tenant shop-nats: (\d+) message\(s\) will be redelivered/g;
    const naks = [...server.output().matchAll(redelivered)].reduce((sum, m) => sum + Number(m[1]), 0);
    await server.stop();
    const summary = /nats: stopped after .*/.exec(server.output())?.[0] ?? '';
    console.log(
      `postgres restarts: ${JSON.stringify(restarts)}; http failures: ${describeFailures(httpLog)}; nats naks ${naks}; ${summary}; ${doneIn} ms\n${report}`,
    );

    recordFaultFigures(
      'faults',
      '1-postgres',
      [
        '### PostgreSQL restarted during ingestion (`test/reliability/faults-postgres.test.ts`)',
        '',
        `- ${httpEvents.length} events over HTTP (batches of 50, with ids) and ${natsEvents.length} over NATS (${messages.length} messages, no ids) into two tenants of a private PostgreSQL, while it was restarted ${restarts.length} times: ${restarts.map((r) => `${r.mode} after ${r.loggedBefore} events logged (${r.downMs} ms down)`).join('; ')}.`,
        `- HTTP client: ${httpLog.attempts} requests for ${Math.ceil(httpEvents.length / 50)} batches; failures seen: ${describeFailures(httpLog)}; final answers ${httpLog.statuses.filter((s) => s === 'accepted').length} accepted, ${httpLog.statuses.filter((s) => s === 'duplicate').length} duplicate (duplicate: a retried batch that had committed just before the connection dropped).`,
        `- NATS consumer: ${naks} deliveries given back (nak) during the outages, each redelivered until applied; ${summary.replace('nats: ', '')}.`,
        `- The fenyong process never died (1 start). Afterwards: each tenant's log is exactly its ${httpEvents.length} events in order, awards and balances equal a clean replay, \`fenyong verify\` exit 0. Total ${(doneIn / 1000).toFixed(1)} s.`,
      ].join('\n'),
    );
  });
});
