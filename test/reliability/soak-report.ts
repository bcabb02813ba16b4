import { machineLines, table, writeReliabilitySection } from '../../bench/support/report.ts';
import type { Load } from './soak-load.ts';
import { canForceGc, mb, slope, type MemorySample } from './soak-stats.ts';

export interface SoakFigures {
  readonly minutes: number;
  readonly warmupSeconds: number;
  readonly load: Load;
  readonly seconds: number;
  readonly samples: readonly MemorySample[];
  /** Heap used with every tenant engine dropped, after the warm-up and at the end. */
  readonly baseline: { readonly warm: number; readonly end: number };
  readonly boundMb: number;
  readonly loadAverage: { readonly start: number[]; readonly end: number[] };
  readonly events: readonly { tenant: string; path: string; sent: number; logged: number; rejected: number }[];
  readonly webhooks: {
    readonly delivered: number;
    /** Notifications not delivered yet when the load stopped, and how long they took to deliver. */
    readonly backlogAtStop: number;
    readonly drainMs: number;
    /** Once drained (or given up): not delivered yet, and failed for good. */
    readonly backlog: number;
    readonly failed: number;
    readonly series: readonly { t: number; backlog: number }[];
  };
  readonly drainMs: number;
  readonly verify: readonly { tenant: string; ok: boolean; detail: string }[];
}

const ms = (value: number) => (Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(1) : value.toFixed(0));

/** Writes the `soak` section of RELIABILITY.md (also when the soak failed: the figures say why). */
export function writeSoakSection(f: SoakFigures): void {
  const requests = [...f.load.latencies.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = requests.reduce((sum, [, l]) => sum + l.count, 0);
  const live = f.samples.filter((s) => s.t >= f.warmupSeconds);
  const liveSlope = slope(live.map((s) => ({ x: s.t / 60, y: s.heapUsed / 1024 / 1024 })));
  const first = live[0] ?? f.samples[0]!;
  const last = f.samples[f.samples.length - 1]!;
  const perMinute = f.samples.filter((s, i) => s.t % 60 < 10 || i === f.samples.length - 1);
  const afterWarmup = requests.reduce((sum, [, l]) => sum + l.count, 0) * (1 - f.warmupSeconds / f.seconds);
  const business = [...f.load.business.entries()].map(([kind, n]) => `${kind} × ${n}`).join('; ') || 'none';
  const body = [
    '## Soak: figures',
    '',
    machineLines(`SOAK_MINUTES=${f.minutes} npm run test:soak`),
    `- Load average (1, 5, 15 min) at the start: ${f.loadAverage.start.map((l) => l.toFixed(2)).join(', ')}; at the end: ${f.loadAverage.end.map((l) => l.toFixed(2)).join(', ')} (the machine is shared; latencies include waiting for a CPU)`,
    `- Ran ${(f.seconds / 60).toFixed(1)} min: ${total} requests and NATS publishes, ${(total / f.seconds).toFixed(1)} per second; errors: **${f.load.errorCount}**${f.load.errors.length > 0 ? ` (first: ${f.load.errors[0]})` : ''}`,
    `- Expected business refusals: ${business}`,
    `- NATS: ${f.load.natsEvents} events published (${f.load.natsBlindWithdrawals} of them withdrawals the member may not cover); the consumer finished ${ms(f.drainMs)} ms after the load stopped`,
    `- Webhooks (one subscription to every topic, on soak-batch; loopback receiver): ${f.webhooks.delivered} deliveries, ${(f.webhooks.delivered / (f.seconds + f.webhooks.drainMs / 1000)).toFixed(0)} per second. Not yet delivered (outbox rows not fanned out and deliveries pending) at each minute: ${f.webhooks.series.map((s) => s.backlog).join(', ') || '–'}; ${f.webhooks.backlogAtStop} when the load stopped, delivered ${(f.webhooks.drainMs / 1000).toFixed(0)} s later; at the end ${f.webhooks.backlog} not delivered, ${f.webhooks.failed} failed`,
    '',
    table(
      ['request', 'count', 'per second', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ...requests.map(([kind, l]) => [
          kind,
          String(l.count),
          (l.count / f.seconds).toFixed(1),
          ms(l.percentile(50)),
          ms(l.percentile(99)),
          ms(l.max),
        ]),
        ['all', String(total), (total / f.seconds).toFixed(1), '', '', ''],
      ],
    ),
    '',
    table(
      ['tenant', 'path', 'events (and withdrawals) accepted or published', 'in the log', 'refused (expected)', 'fenyong verify'],
      f.events.map((e) => {
        const check = f.verify.find((v) => v.tenant === e.tenant);
        return [
          e.tenant,
          e.path,
          String(e.sent),
          String(e.logged),
          String(e.rejected),
          check ? (check.ok ? 'clean' : `**${check.detail}**`) : '–',
        ];
      }),
    ),
    '',
    `Memory, sampled every 10 s${canForceGc ? ' after a forced full collection (`--expose-gc`)' : ' (no forced collection: run with --expose-gc)'}; the load generator runs in the same process (its buffers are allocated up front):`,
    '',
    table(
      ['t', 'RSS MB', 'heap used MB', 'external MB', 'load (1 min)'],
      perMinute.map((s) => [`${(s.t / 60).toFixed(1)} min`, mb(s.rss), mb(s.heapUsed), mb(s.external), s.load1.toFixed(2)]),
    ),
    '',
    `(${f.samples.length} samples in all; the table shows one a minute and the last, taken when the load had stopped.)`,
    '',
    `- Heap used with the load running: ${mb(first.heapUsed)} MB after the warm-up (${f.warmupSeconds} s), ${mb(last.heapUsed)} MB at the end; slope after the warm-up ${liveSlope.toFixed(2)} MB/min. This includes the tenants' engines, which hold every member, order, award and posting by design (the server replays a tenant into memory) and grow with the data.`,
    `- Heap used with every tenant's engine dropped (\`Service.forget\`, load paused, two forced collections): ${mb(f.baseline.warm)} MB after the warm-up, ${mb(f.baseline.end)} MB at the end: growth **${mb(f.baseline.end - f.baseline.warm)} MB** (bound: ${f.boundMb} MB, which a leak of ${((f.boundMb * 2 ** 20) / afterWarmup / 1024).toFixed(1)} KB per request over the ~${Math.round(afterWarmup)} requests after the warm-up would reach). Everything that is not tenant data — HTTP, NATS, queues, pools, caches, the outbox dispatcher — is flat if this stays within the bound.`,
    `- RSS from ${mb(Math.min(...f.samples.map((s) => s.rss)))} to ${mb(Math.max(...f.samples.map((s) => s.rss)))} MB (not asserted: the allocator keeps freed pages).`,
  ].join('\n');
  writeReliabilitySection('soak', body);
}
