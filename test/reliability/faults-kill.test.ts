import { afterAll, describe, expect, it } from 'vitest';
import { eventsSubject, rejectedSubject } from '../../src/ingest/nats-settings.ts';
import { lockKey } from '../../src/service/service.ts';
import { Random } from '../../src/sim/random.ts';
import type { Sql } from '../../src/store/sql.ts';
import { connectNats, natsEnv, readSubject, uniqueSettings, waitConsumed } from '../nats/support/nats.ts';
import { createSchema } from '../nats/support/postgres.ts';
import { createTenantOver } from '../nats/support/server.ts';
import { WORKLOAD_PLAN, workload } from '../nats/support/workload.ts';
import { expectRecovered, FAULTS } from './support/faults/checks.ts';
import { Cleanups } from './support/faults/cleanup.ts';
import { fenyongProcess } from './support/faults/fenyong.ts';
import { recordFaultFigures } from './support/faults/figures.ts';
import { asMessages, describeFailures, newClientLog, publishInOrder, sendBatches } from './support/faults/producers.ts';

/** At least 20 kills (the floor); FENYONG_FAULT_KILLS and FENYONG_FAULT_SEED change the run. */
const KILLS = Math.max(20, Number(process.env.FENYONG_FAULT_KILLS ?? 22));
const SEED = Number(process.env.FENYONG_FAULT_SEED ?? 20261128);

const cleanups = new Cleanups();
afterAll(() => cleanups.run());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Kill {
  /** While starting (before it served), or while serving. */
  readonly phase: 'starting' | 'serving';
  /** Milliseconds after the spawn (starting: a share of the last start's duration) or after it served (serving). */
  readonly afterMs: number;
  /** Tenants with a batch transaction open (their advisory lock held) at the instant of the kill. */
  readonly open: number;
}

describe.skipIf(!FAULTS)('the server SIGKILLed at random points, again and again', () => {
  it(`survives ${KILLS} kills during mixed HTTP and NATS ingestion: every event applied exactly once`, async () => {
    const t0 = Date.now();
    const random = new Random(SEED);
    const settings = uniqueSettings(3000);
    const db = await createSchema('faultskill');
    cleanups.add(
      'schema',
      () => db.drop(),
      () => undefined,
    );
    const nats = await connectNats(settings);
    cleanups.add(
      'nats stream',
      () => nats.close(),
      () => undefined,
    );
    const server = await fenyongProcess('kill-loop', { DATABASE_URL: db.url, ...natsEnv(settings) }, cleanups);
    await server.start();
    const viaHttp = await createTenantOver(server.url, 'kill-http', WORKLOAD_PLAN);
    const viaNats = await createTenantOver(server.url, 'kill-nats', WORKLOAD_PLAN);

    const httpEvents = workload(12_000, SEED + 1, { ids: true });
    const natsEvents = workload(16_000, SEED + 2, { ids: false });
    const messages = asMessages(natsEvents, (a, b) => random.int(a, b), 8);
    const httpLog = newClientLog();
    const natsLog = newClientLog();
    let done = false;
    // Both producers go on until the kills are over: HTTP batches of 20 (retried until answered),
    // NATS messages at a steady pace while the server serves and slowly while it is down.
    const sending = sendBatches(() => server.url, viaHttp.key, httpEvents, {
      batch: 20,
      log: httpLog,
      timeoutMs: 30_000,
      pauseMs: () => 40,
      stop: () => done,
    });
    const publishing = publishInOrder(nats.js, eventsSubject(settings.subjectPrefix, 'kill-nats'), messages, {
      idPrefix: 'kill',
      log: natsLog,
      pauseMs: () => (server.ready() ? 15 : 250),
      stop: () => done,
    });

    const kills: Kill[] = [];
    let startupMs = 5000;
    for (let k = 0; k < KILLS; k++) {
      const launched = Date.now();
      const ready = server.launch();
      if (random.chance(0.2)) {
        // While it starts, late in its start (database opened, stream and consumer being set up).
        const afterMs = Math.round(startupMs * (0.6 + 0.4 * random.next()));
        await Promise.race([sleep(afterMs), ready.catch(() => undefined)]);
        kills.push({ phase: server.ready() ? 'serving' : 'starting', afterMs, open: await openTransactions(db.sql) });
        await server.kill();
        await ready.catch(() => undefined);
      } else {
        await ready;
        startupMs = Date.now() - launched;
        const afterMs = random.int(300, 4000);
        await sleep(afterMs);
        kills.push({ phase: 'serving', afterMs, open: await openTransactions(db.sql) });
        await server.kill();
      }
    }
    done = true;
    const [sent, seqs] = await Promise.all([sending, server.start().then(() => publishing)]);
    await waitConsumed(nats.jsm, settings, 300_000);
    const doneIn = Date.now() - t0;

    const sentEvents = httpEvents.slice(0, sent);
    const publishedEvents = messages.slice(0, seqs.length).flatMap((m) => (Array.isArray(m) ? m : [m]));
    expect(kills.length).toBeGreaterThanOrEqual(20);
    expect(httpLog.statuses.length).toBe(sentEvents.length);
    expect(httpLog.statuses.filter((s) => s !== 'accepted' && s !== 'duplicate')).toEqual([]);
    expect(await readSubject(nats.jsm, settings.stream, rejectedSubject(settings.subjectPrefix, 'kill-nats'))).toEqual([]);
    const report = await expectRecovered(db.url, [
      { tenant: 'kill-http', http: viaHttp, events: sentEvents },
      { tenant: 'kill-nats', http: viaNats, events: publishedEvents },
    ]);
    await server.stop();
    const duplicates = httpLog.statuses.filter((s) => s === 'duplicate').length;
    const serving = kills.filter((kill) => kill.phase === 'serving');
    const withOpen = kills.filter((kill) => kill.open > 0).length;
    console.log(
      `kills: ${JSON.stringify(kills)}; http ${sent} events (${duplicates} duplicate answers), failures ${describeFailures(httpLog)}; nats ${publishedEvents.length} events; ${doneIn} ms\n${report}`,
    );

    recordFaultFigures(
      'faults',
      '3-kill',
      [
        '### The server SIGKILLed at random points (`test/reliability/faults-kill.test.ts`)',
        '',
        `- Kills survived: **${kills.length}** (seed ${SEED}): ${serving.length} while serving (drawn 300–4000 ms after it served), ${kills.length - serving.length} while starting (drawn at 60–100% of the previous start's duration); ${withOpen} of them with a batch transaction open in PostgreSQL. The process was started ${server.starts} times.`,
        `- Meanwhile ${sentEvents.length} events over HTTP (batches of 20, with ids; ${httpLog.attempts} requests, failures seen: ${describeFailures(httpLog)}; ${duplicates} events answered duplicate on a retry of a batch that had committed) and ${publishedEvents.length} events over NATS (${seqs.length} messages, no ids).`,
        `- Afterwards: each tenant's log is exactly its events, once each and in order; awards and balances equal a clean replay; \`fenyong verify\` exit 0. Total ${(doneIn / 1000).toFixed(1)} s.`,
      ].join('\n'),
    );
  });
});

/** Tenants of the test whose advisory lock a transaction holds (a batch being applied), 0 if PostgreSQL cannot say. */
async function openTransactions(sql: Sql): Promise<number> {
  let open = 0;
  for (const tenant of ['kill-http', 'kill-nats']) {
    const key = BigInt.asUintN(64, BigInt(lockKey(tenant)));
    const rows = await sql
      .query<{ n: string }>(
        "select count(*)::text as n from pg_locks where locktype = 'advisory' and granted and classid = $1::oid and objid = $2::oid and objsubid = 1",
        [String(key >> 32n), String(key & 0xffffffffn)],
      )
      .catch(() => ({ rows: [{ n: '0' }] }));
    open += Number(rows.rows[0]!.n) > 0 ? 1 : 0;
  }
  return open;
}
