/**
 * `npm run bench:sim`: a year of a generated shop through the simulation runner — 12 months of a
 * 100,000-member network (growing and churning) with 2,000,000 orders (1–4 lines, mean 1.3),
 * their refunds and completions, all as pre-parsed events through `engine.applyParsed`, one plan
 * (examples/plans/a-three-level.yaml: three levels + monthly team tiers), then the report
 * (GMV, cost by rule, ratios, payout spread per month). Goal: ≤ 20 s on this machine. Progress
 * goes to stderr. Writes the "simulation" section of BENCHMARKS.md.
 *
 * Sizes can be scaled down for a quick try (SIM_MEMBERS=20000 SIM_ORDERS=200000); a run with other
 * than the default sizes prints its figures but leaves BENCHMARKS.md alone. The engine keeps every
 * order (about 1.5 KB each), so the full run needs a heap of ~3–4 GB: the npm script raises the limit
 * (and the young generation: --max-semi-space-size=128; on the machine of 2026-11-28, 64 → 128 took the
 * full run from 34–37 s to 29–30 s, three runs each; 192 and 256 gave the same as 128).
 * BENCH_PROFILE=<dir> writes a CPU profile of the simulation step (not of the generator's pass alone) there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describeNetwork } from '../src/sim/network.ts';
import { EXAMPLE_PLANS, readPlanFile } from '../src/sim/plans.ts';
import { progressPrinter } from '../src/sim/progress.ts';
import { generatedSource, simulate } from '../src/sim/run.ts';
import { renderReport } from '../src/sim/table.ts';
import { syntheticData } from '../src/sim/timeline.ts';
import { profiled } from './support/profile.ts';
import { machineLines, table, writeSection } from './support/report.ts';

const DEFAULTS = { members: 100_000, orders: 2_000_000, months: 12 };
const MEMBERS = Number(process.env.SIM_MEMBERS ?? DEFAULTS.members);
const ORDERS = Number(process.env.SIM_ORDERS ?? DEFAULTS.orders);
const STANDARD = MEMBERS === DEFAULTS.members && ORDERS === DEFAULTS.orders;
const SEED = 20260301;
const GOAL_SECONDS = 20;

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const loadAverage = () =>
  existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : '?';
/** CPU time of the main thread so far (ms): leaves out the time other processes hold the core. */
function mainThreadCpuMs(): number {
  const file = `/proc/self/task/${process.pid}/stat`;
  if (!existsSync(file)) return Number.NaN;
  const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const profileLog = (line: string): void => console.error(`[bench:sim] ${line}`);

const startLoad = loadAverage();
const params = {
  seed: SEED,
  start: '2026-01',
  months: DEFAULTS.months,
  network: { members: MEMBERS },
  orders: { ordersPerMonth: Math.round(ORDERS / DEFAULTS.months) },
};
console.error(
  `[bench:sim] ${int(MEMBERS)} members, ~${int(ORDERS)} orders over ${DEFAULTS.months} months; load average ${startLoad}`,
);

let started = performance.now();
const data = syntheticData(params);
const networkMs = performance.now() - started;
const facts = describeNetwork(data.network);

// The generator alone, for the split (the simulation regenerates the same events as it goes).
started = performance.now();
let events = 0;
let lines = 0;
for (const batch of data.batches()) {
  for (const event of batch) {
    events++;
    if (event.type === 'order.paid') lines += event.lines.length;
  }
}
const generateMs = performance.now() - started;
console.error(
  `[bench:sim] network ${seconds(networkMs)} s; the ${int(events)} events alone take ${seconds(generateMs)} s to generate`,
);

const plan = readPlanFile(EXAMPLE_PLANS.a);
const cpuBefore = mainThreadCpuMs();
started = performance.now();
const report = await profiled('simulate', profileLog, () =>
  simulate(generatedSource(data), [plan], { onProgress: progressPrinter('bench:sim') }),
);
const simulateMs = performance.now() - started;
const cpuMs = mainThreadCpuMs() - cpuBefore;
const heapMB = process.memoryUsage().heapUsed / 1024 / 1024;
const endLoad = loadAverage();
const result = report.plans[0]!;
console.log(renderReport(report));

const totalMs = networkMs + simulateMs;
const verdict = totalMs <= GOAL_SECONDS * 1000 ? 'met' : '**missed**';
const body = `
## Simulation (\`bench/sim.bench.ts\`)

A year of a generated shop through the simulation runner (\`src/sim\`): the same engine the server
runs, fed pre-parsed events (\`engine.applyParsed\`, no zod in the loop), then the report. Seeded
(seed ${SEED}): every run sees the same network and the same events.

${machineLines(`npm run bench:sim\`, i.e. \`node ${process.execArgv.join(' ')} bench/sim.bench.ts`)}
- Load average at the start / end: ${startLoad} / ${endLoad} (a shared machine: wall-clock figures vary with the load; the main thread's CPU time varies less)

${table(
  ['Goal', 'Target', 'Measured', ''],
  [
    [
      `12 months, ${int(MEMBERS)} members, ${int(data.orders)} orders: network + simulation + report`,
      `≤ ${GOAL_SECONDS} s`,
      `${seconds(totalMs)} s`,
      verdict,
    ],
  ],
)}

- Data: ${int(facts.members)} members in all (${int(MEMBERS)} at the start, ${int(facts.joined)} joined month by month, ${int(facts.churned)} went inactive), ${int(facts.distributors)} distributors, depth up to ${facts.maxDepth} (preferential attachment: the top 1% of distributors have ${(facts.topFanOutShare * 100).toFixed(0)}% of the children); ${int(data.orders)} orders with ${int(lines)} lines (${(lines / data.orders).toFixed(2)} per order), ${int(events - data.orders - facts.joined)} refunds and completions: ${int(events)} events.
- Plan: ${plan.name}. Result: GMV ${result.totals.gmv}, cost ${result.totals.cost} (${(result.totals.ratio * 100).toFixed(2)}%), ${int(result.totals.payouts.earners)} earners, Gini ${result.totals.payouts.gini.toFixed(3)}.

${table(
  ['Step', 'Time', 'Figures'],
  [
    ['Generate the network (typed arrays)', `${seconds(networkMs)} s`, `${int(facts.members)} members`],
    [
      'Generate the events alone (for the split; the run regenerates them as it goes)',
      `${seconds(generateMs)} s`,
      `${int((events / generateMs) * 1000)} events/s`,
    ],
    [
      'Simulate: `Engine.create`, every event through `applyParsed`, the closes, the report',
      `${seconds(simulateMs)} s`,
      `${int((data.orders / simulateMs) * 1000)} orders/s, ${int((lines / simulateMs) * 1000)} lines/s; main thread CPU ${seconds(cpuMs)} s`,
    ],
    ['Heap at the end (the engine keeps every order)', '', `${int(heapMB)} MB`],
  ],
)}
`;
console.log(body);
if (STANDARD) {
  writeSection('simulation', body);
  console.error('[bench:sim] wrote the simulation section of BENCHMARKS.md');
} else console.error('[bench:sim] other than the default sizes: BENCHMARKS.md left as it is');
