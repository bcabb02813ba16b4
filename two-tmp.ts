import { NatsIngest } from './src/ingest/nats.ts';
import { eventsSubject } from './src/ingest/nats-settings.ts';
import { Service } from './src/service/service.ts';
import { createTenant } from './src/service/tenants.ts';
import { openDatabase } from './src/store/open.ts';
import { Random } from './src/sim/random.ts';
import { connectNats, publish, uniqueSettings, waitConsumed } from './test/nats/support/nats.ts';
import { createSchema } from './test/nats/support/postgres.ts';
import { WORKLOAD_PLAN, workload } from './test/nats/support/workload.ts';
const settings = uniqueSettings(5000);
const db = await createSchema('two');
const sqlA = await openDatabase({ databaseUrl: db.url });
const sqlB = await openDatabase({ databaseUrl: db.url });
const A = new Service(sqlA), B = new Service(sqlB);
const nats = await connectNats(settings);
const tenants = ['north', 'south', 'east', 'west'];
for (const t of tenants) await createTenant(A, { id: t, name: t, timezone: 'Asia/Shanghai', currency: 'CNY', plan: WORKLOAD_PLAN });
const ia = await NatsIngest.start(A, settings, (l) => console.log('A', l));
const ib = await NatsIngest.start(B, settings, (l) => console.log('B', l));
const random = new Random(9);
const queues = tenants.map((_, i) => { const list = workload(1500, 100 + i, { ids: false }); const m: unknown[] = []; for (let k = 0; k < list.length;) { const s = random.int(1, 6); m.push(s === 1 ? list[k] : list.slice(k, k + s)); k += s; } return m; });
const t0 = Date.now();
const timer = setInterval(async () => { const info = await nats.jsm.consumers.info(settings.stream, settings.durable); console.log(Date.now() - t0, 'pending', info.num_pending, 'ack', info.num_ack_pending, 'redel', info.num_redelivered, 'A', JSON.stringify(ia.counters), 'B', JSON.stringify(ib.counters)); }, 1000);
while (queues.some((q) => q.length > 0)) {
  const i = random.pick(queues.map((q, k) => (q.length > 0 ? k : -1)).filter((k) => k >= 0));
  await publish(nats.js, eventsSubject(settings.subjectPrefix, tenants[i]!), queues[i]!.splice(0, random.int(1, 4)));
}
console.log('published', Date.now() - t0);
try { await waitConsumed(nats.jsm, settings, 40000); } catch (e) { console.log(String(e)); }
console.log('done', Date.now() - t0);
clearInterval(timer);
await ia.stop(); await ib.stop(); await nats.close(); await sqlA.close(); await sqlB.close(); await db.drop();
