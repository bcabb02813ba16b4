import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/scenario/run.ts';
import { startApp, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { canonical, readResult, runScenarioOverApi } from '../support/scenario.ts';

/**
 * Every conformance scenario, run through the HTTP API (tenant, network import, events, reads),
 * must give exactly what the pure engine gives (runScenario): awards, balances, levels,
 * withdrawals and the errors by event index. The ledger must then verify, and a replay of the
 * stored log (the engine forgotten and rebuilt) must read back the same.
 */
const root = join(import.meta.dirname, '..', '..', 'conformance');
const files = ['public', 'own'].flatMap((folder) =>
  readdirSync(join(root, folder))
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => join(folder, name)),
);

/** PGlite gets each scenario in one batch, PostgreSQL one event per request: both batch paths run. */
const BATCH: Record<Backend, number> = { pglite: 1000, postgres: 1 };

it('finds the conformance scenarios', () => {
  expect(files.length).toBeGreaterThanOrEqual(40);
});

describe('scenarios over HTTP on PGlite and PostgreSQL', () => {
  const apps = {} as Record<Backend, TestApp>;
  beforeAll(async () => {
    [apps.pglite, apps.postgres] = await Promise.all([startApp('pglite'), startApp('postgres')]);
  });
  afterAll(async () => {
    await Promise.all(Object.values(apps).map((test) => test.close()));
  });

  const cases = (['pglite', 'postgres'] as const).flatMap((backend) =>
    files.map((file, index) => [backend, file, index] as const),
  );
  // Tenants are independent (the service serialises per tenant): scenarios run side by side.
  it.concurrent.for(cases)('%s: %s', async ([backend, file, index], { expect }) => {
    const test = apps[backend];
    const scenario = loadScenario(join(root, file));
    const expected = canonical(runScenario(scenario).result);

    const run = await runScenarioOverApi(test, `s${index}`, scenario, { batchSize: BATCH[backend] });
    expect(canonical(run.result)).toEqual(expected);

    const verify = await run.admin.get('/v1/verify');
    expect(verify.status).toBe(200);
    expect(verify.body.checks.filter((check: { ok: boolean }) => !check.ok)).toEqual([]);
    expect(verify.body.ok).toBe(true);

    // The in-memory engine is only a cache of the log: rebuilt from it, it answers the same.
    test.service.forget(run.tenant);
    expect(canonical(await readResult(run.admin, run.items))).toEqual(expected);
  });
});
