/**
 * The engine's outputs, hashed: a check that a change of the engine's insides (data layout, speed)
 * changes none of what it computes. It runs
 *   - every conformance scenario (conformance/**\/*.yaml and ../shared/scenarios/*.yaml), and
 *   - generated workloads (src/sim: members joining, orders paid, refunded and completed, then a
 *     few withdrawals) under the example plans, the plan library and the engine benchmark's plan,
 * and hashes, per run, every event's outcome (status, error, postings with their journal and ref,
 * award changes, level changes, withdrawals), then the final state: every award with its changes
 * and explanations, every balance, every member's placement and history, buyers' figures.
 *
 *   node --import tsx bench/engine-fingerprint.ts --save /tmp/before.json   # record
 *   node --import tsx bench/engine-fingerprint.ts --check /tmp/before.json  # compare; exit 1 on a difference
 *
 * FINGERPRINT_ORDERS scales the generated workloads (default 12,000 orders each).
 */
import { createHash, type Hash } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent } from '../src/domain/types.ts';
import type { Outcome } from '../src/engine/apply.ts';
import { Engine } from '../src/engine/engine.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { readPlanFile } from '../src/sim/plans.ts';
import { syntheticData } from '../src/sim/timeline.ts';

const ROOT = join(import.meta.dirname, '..');
const ORDERS = Number(process.env.FINGERPRINT_ORDERS ?? 12_000);

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return name.endsWith('.yaml') ? [path] : [];
    });
}

/** JSON with bigints as `123n`, Sets and Maps as arrays. */
function text(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Map) return [...v.entries()];
    if (v instanceof Set) return [...v];
    return v;
  });
}

/** A hash that, when dumping, also keeps the text it hashed. */
function newHash(name: string): Hash {
  const hash = createHash('sha256');
  if (!DUMP) return hash;
  const file = join(DUMP, name.replace(/[^\w.-]+/g, '_'));
  writeFileSync(file, '');
  const update = hash.update.bind(hash);
  hash.update = ((data: string) => {
    appendFileSync(file, data + '\n');
    return update(data);
  }) as Hash['update'];
  return hash;
}

function hashOutcome(hash: Hash, index: number, outcome: Outcome): void {
  hash.update(
    text({
      index,
      status: outcome.status,
      error: outcome.status === 'rejected' ? outcome.error : undefined,
      clockMoved: outcome.clockMoved,
      postings: outcome.postings,
      awards: outcome.awards.map((change) => ({
        to: change.award.to,
        order: change.award.order,
        period: change.award.period,
        rule: change.award.rule,
        amount: change.award.amount,
        status: change.award.status,
        delta: change.delta,
        cause: change.cause,
      })),
      levels: outcome.levels,
      withdrawals: outcome.withdrawals.map((w) => ({ ...w, history: [...w.history] })),
    }),
  );
  hash.update('\n');
}

function hashState(hash: Hash, engine: Engine): void {
  const state = engine.state;
  for (const award of state.awards.all()) {
    hash.update(
      text({
        to: award.to,
        order: award.order,
        period: award.period,
        rule: award.rule,
        amount: award.amount,
        status: award.status,
        changes: award.changes,
        explanations: award.explanations,
      }),
    );
  }
  for (const [member, balance] of state.ledger.members()) hash.update(text([member, balance.pending, balance.available]));
  for (const member of state.network.all()) {
    hash.update(
      text({
        id: member.id,
        role: member.role,
        level: member.level,
        parent: member.parent?.id ?? null,
        children: member.children?.map((child) => child.id) ?? null,
        regions: member.regions,
        history: member.history,
        changedAt: member.changedAt,
        boundAt: member.boundAt,
        activeSince: member.activeSince,
        personal: member.personalSales,
        team: member.teamSales,
      }),
    );
  }
  // Buyers' figures: members' (wherever the engine keeps them), then guests'.
  for (const member of state.network.all()) {
    const stats = member.purchases ?? state.buyers.get(member.id);
    if (stats) hash.update(text([member.id, stats.spend, stats.orders, stats.skus]));
  }
  for (const [buyer, stats] of state.buyers) {
    if (!state.network.get(buyer)) hash.update(text([buyer, stats.spend, stats.orders, stats.skus]));
  }
  for (const order of state.orders.values()) {
    hash.update(
      text({
        id: order.id,
        netPaid: order.netPaid,
        settled: order.settled,
        completedAt: order.completedAt,
        chain: order.context.chain.map((link) => [link.id, link.level]),
      }),
    );
  }
  hash.update(text([...state.withdrawals.values()]));
  hash.update(text(state.clock));
}

function runScenario(file: string): string {
  const hash = newHash(file);
  const scenario = loadScenario(file);
  let engine: Engine;
  try {
    engine = Engine.create({
      timezone: scenario.timezone,
      currency: scenario.currency,
      plan: scenario.plan,
      members: scenario.members,
    });
  } catch (error) {
    return createHash('sha256')
      .update(`create failed: ${String(error)}`)
      .digest('hex');
  }
  scenario.events.forEach((event, index) => hashOutcome(hash, index, engine.apply(event)));
  hashState(hash, engine);
  return hash.digest('hex');
}

const BENCH_PLAN = {
  name: 'engine bench plan',
  templates: [
    { id: 'ml', template: 'multi-level', params: { rates: ['8%', '4%', '2%'], base: 'paid' } },
    {
      id: 'diff',
      template: 'differential',
      params: { rates: { 1: '5%', 2: '9%', 3: '12%' }, peer: { rate: '10%', of: 'award', generations: 1 }, base: 'paid' },
    },
    {
      id: 'campaign',
      template: 'targeted',
      params: {
        from: '2026-01-01',
        to: '2026-05-01',
        skus: Array.from({ length: 20 }, (_, i) => `sku${i * 7}`),
        rate: '3%',
        base: 'paid',
      },
    },
    {
      id: 'team',
      template: 'team-tier',
      params: {
        period: 'month',
        tiers: [
          { min: '1000.00', rate: '1%' },
          { min: '10000.00', rate: '2%' },
          { min: '100000.00', rate: '3%' },
        ],
      },
    },
  ],
};

function runGenerated(name: string, plan: unknown): string {
  const hash = newHash(name);
  const data = syntheticData({
    seed: 7,
    start: '2026-01',
    months: 4,
    network: { members: 3_000 },
    orders: { ordersPerMonth: Math.round(ORDERS / 4) },
  });
  const engine = Engine.create({ timezone: data.params.timezone, currency: data.params.currency, plan, members: data.members });
  let index = 0;
  let last = 0;
  for (const event of data.events() as Iterable<EngineEvent>) {
    hashOutcome(hash, index++, engine.applyParsed(event));
    last = event.at;
  }
  // A few withdrawals, and time passing past every close and settlement.
  let count = 0;
  for (const [member, balance] of [...engine.state.ledger.members()]) {
    if (balance.available < 2n || count >= 40) continue;
    const event = {
      type: 'withdrawal.requested',
      at: ++last,
      withdrawal: `W${count++}`,
      member,
      amount: balance.available / 2n,
    } as const;
    hashOutcome(hash, index++, engine.applyParsed(event));
  }
  hashOutcome(hash, index++, engine.applyParsed({ type: 'tick', at: last + 400 * 86_400_000 }));
  hashState(hash, engine);
  return `${hash.digest('hex')} (${name})`;
}

const results: Record<string, string> = {};
/** FINGERPRINT_DUMP=<dir>: also writes each run's hashed text there (one file per run), to diff. */
const DUMP = process.env.FINGERPRINT_DUMP;
/** FINGERPRINT_ONLY=<text>: only the runs whose name contains it. */
const ONLY = process.env.FINGERPRINT_ONLY ?? '';
const SHARED = process.env.SHARED_SCENARIOS ?? join(ROOT, '..', 'shared', 'scenarios');
const started = performance.now();
const scenarioFiles = [...yamlFiles(join(ROOT, 'conformance')), ...yamlFiles(SHARED)];
for (const file of scenarioFiles.filter((name) => name.includes(ONLY)))
  results[file.replace(ROOT, '.').replace(SHARED, 'shared')] = runScenario(file);
const plans = [...yamlFiles(join(ROOT, 'examples', 'plans')), ...yamlFiles(join(ROOT, 'plans', 'library'))].map((file) => ({
  key: file.replace(ROOT, '.'),
  plan: readPlanFile(file).plan,
}));
plans.push({ key: 'bench-plan', plan: BENCH_PLAN });
for (const { key, plan } of plans.filter(({ key }) => key.includes(ONLY))) results[`generated:${key}`] = runGenerated(key, plan);
const total = createHash('sha256').update(text(results)).digest('hex');
console.log(
  `${Object.keys(results).length} runs in ${((performance.now() - started) / 1000).toFixed(1)} s; fingerprint ${total}`,
);

const [flag, file] = process.argv.slice(2);
if (flag === '--save' && file) {
  writeFileSync(file, JSON.stringify({ total, results }, null, 1));
  console.log(`saved to ${file}`);
} else if (flag === '--check' && file) {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { total: string; results: Record<string, string> };
  const differ = Object.keys({ ...saved.results, ...results }).filter((key) => saved.results[key] !== results[key]);
  for (const key of differ) console.log(`DIFFERENT: ${key}`);
  console.log(differ.length === 0 ? 'identical to the saved fingerprint' : `${differ.length} runs differ`);
  process.exit(differ.length === 0 ? 0 : 1);
}
