import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { table } from '../../bench/support/report.ts';
import { verifyTenant } from '../../src/service/verify.ts';
import { PLATFORM_TOKEN } from '../support/app.ts';
import { acceptedAmountProblem, eventBatches, stampInstants } from './support/events.ts';
import { FUZZ_SEED, FUZZ_TIMEOUT_MS, fuzzRuns, recordFigures, recordInputs } from './support/figures.ts';
import { startFuzzFixture, type FuzzFixture } from './support/fixture.ts';
import { NASTY_ZONES, hostileValue, prototypePolluted } from './support/hostile.ts';
import { mutated } from './support/openapi.ts';
import { Prober } from './support/probe.ts';
import { ledgerTotals, stateDigester } from './support/state.ts';

/**
 * Hostile events and plans, deeper than the schema-guided API fuzz: events of every type naming
 * the tenant's real members and orders, broken one field at a time (negative and fractional fen,
 * huge amounts and quantities, wrong instants and offsets, unicode ids, unknown fields), sent in
 * batches; plans from the plan library broken the same way, linted and published; tenants with
 * wrong time zones and currencies. Refused items carry stable codes and write nothing; an accepted
 * amount is always whole fen; the ledger equals a clean replay at the end.
 */

const LIBRARY = join(import.meta.dirname, '..', '..', 'plans', 'library');
const libraryPlans = readdirSync(LIBRARY, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    readdirSync(join(LIBRARY, dir.name)).map(
      (file) => parse(readFileSync(join(LIBRARY, dir.name, file), 'utf8')) as Record<string, unknown>,
    ),
  )
  .map((document) => (document.plan ?? document) as unknown);

const EVENT_RUNS = fuzzRuns(150);
const PLAN_RUNS = fuzzRuns(60);
const TENANT_RUNS = fuzzRuns(40);

describe('fuzzing events, plans and tenants', { timeout: FUZZ_TIMEOUT_MS }, () => {
  let fixture: FuzzFixture;
  let prober: Prober;
  const inputs: unknown[] = [];
  const findings: string[] = [];
  const counts = { events: 0, batches: 0, accepted: 0, rejected: 0, duplicate: 0, plans: 0, tenants: 0 };
  const codes = new Map<string, number>();
  let clock = Date.parse('2026-05-01T00:00:00Z');
  const next = () => new Date((clock += 37_000)).toISOString();
  const started = Date.now();

  async function send(
    label: string,
    method: 'POST',
    url: string,
    body: unknown,
    key: string,
  ): Promise<{ status: number; json: unknown }> {
    let payload: string;
    try {
      payload = JSON.stringify(body) ?? 'null';
    } catch {
      payload = 'null';
    }
    const result = await prober.probe({
      method,
      url,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload,
    });
    inputs.push({ label, url, status: result.status, body: payload.slice(0, 1000) });
    if (result.problems.length > 0 && findings.length < 100)
      findings.push(`${label} ${url} ${payload.slice(0, 400)}\n    → ${result.problems.join('; ')}`);
    let json: unknown = null;
    try {
      json = JSON.parse(result.text);
    } catch {
      /* not JSON (checked by the prober when it matters) */
    }
    return { status: result.status, json };
  }

  beforeAll(async () => {
    fixture = await startFuzzFixture('fz-ev');
    prober = new Prober(fixture.test.app, await stateDigester(fixture.test.sql));
  });

  afterAll(async () => {
    await fixture?.test.close();
  });

  it('refuses broken events with stable codes, writes nothing for them, and accepts only whole fen', async () => {
    await fc.assert(
      fc.asyncProperty(eventBatches(fixture.known), async (batch) => {
        const events = batch.map((item) => stampInstants(item.value, next));
        const { status, json } = await send(
          `events[${batch.map((b) => b.mutation).join(',')}]`,
          'POST',
          '/v1/events',
          { events },
          fixture.tenant.adminKey,
        );
        counts.batches += 1;
        counts.events += events.length;
        const results = (json as { results?: { status: string; error?: { code: string } }[] } | null)?.results;
        if (status !== 200 || !results) return;
        results.forEach((result, index) => {
          counts[result.status as 'accepted' | 'rejected' | 'duplicate'] += 1;
          if (result.error) codes.set(result.error.code, (codes.get(result.error.code) ?? 0) + 1);
          const problem = result.status === 'accepted' ? acceptedAmountProblem(events[index]) : null;
          if (problem && findings.length < 100)
            findings.push(`event ${JSON.stringify(events[index]).slice(0, 300)}\n    → ${problem}`);
        });
      }),
      { seed: FUZZ_SEED, numRuns: EVENT_RUNS },
    );
    expect(findings).toEqual([]);
    expect(counts.accepted).toBeGreaterThan(0);
    expect(counts.rejected).toBeGreaterThan(0);
  });

  it('lints and publishes broken plans of the plan library without a 5xx', async () => {
    const plans = mutated(fc.constantFrom(...libraryPlans));
    await fc.assert(
      fc.asyncProperty(plans, fc.boolean(), fc.oneof(fc.constant(null), hostileValue), async (plan, publish, effective) => {
        counts.plans += 1;
        if (!publish)
          return void (await send(
            `lint[${plan.mutation}]`,
            'POST',
            '/v1/plans/lint',
            { plan: plan.value },
            fixture.tenant.adminKey,
          ));
        await send(
          `publish[${plan.mutation}]`,
          'POST',
          '/v1/plans',
          { plan: plan.value, effectiveFrom: effective ?? next() },
          fixture.tenant.adminKey,
        );
      }),
      { seed: FUZZ_SEED, numRuns: PLAN_RUNS },
    );
    expect(findings).toEqual([]);
  });

  it('creates tenants only from valid ids, zones, currencies and plans', async () => {
    const tenants = fc.record({
      id: fc.oneof(
        fc.string({ minLength: 2, maxLength: 12, unit: fc.constantFrom(...'abcxyz019-') }).map((s) => `fz-t${s}`),
        hostileValue,
      ),
      name: fc.oneof(fc.constant('fuzzed'), hostileValue),
      timezone: fc.oneof(fc.constantFrom(...NASTY_ZONES), fc.constant('Asia/Shanghai'), hostileValue),
      currency: fc.oneof(fc.constantFrom('CNY', 'JPY', 'KWD', 'XXX', 'cny', 'C N', '¥¥¥'), hostileValue),
      plan: mutated(fc.constantFrom(...libraryPlans)).map((p) => p.value),
    });
    await fc.assert(
      fc.asyncProperty(tenants, async (tenant) => {
        counts.tenants += 1;
        const { status, json } = await send('tenant', 'POST', '/v1/tenants', tenant, PLATFORM_TOKEN);
        if (status === 201) {
          const created = (json as { tenant: string }).tenant;
          const report = await verifyTenant(fixture.test.service, created);
          expect(report.ok, JSON.stringify(tenant).slice(0, 300)).toBe(true);
        }
      }),
      { seed: FUZZ_SEED, numRuns: TENANT_RUNS },
    );
    expect(findings).toEqual([]);
  });

  it('leaves the ledger equal to a clean replay, and no prototype polluted', async () => {
    const report = await verifyTenant(fixture.test.service, fixture.known.tenant);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(prototypePolluted()).toEqual([]);
    const totals = await ledgerTotals(fixture.test.sql, fixture.known.tenant);
    const file = recordInputs('fuzz-events-inputs', inputs);
    recordFigures(
      'fuzz',
      '2-events',
      [
        '### Events, plans and tenants',
        '',
        `${counts.events.toLocaleString('en-US')} events in ${counts.batches} batches of \`POST /v1/events\`, ${counts.plans} plans (lint or publish), ${counts.tenants} tenants, in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${FUZZ_SEED}; FUZZ_RUNS raises the runs). Every refused item had a stable code and wrote nothing but its record in \`rejected_events\` (and, as the README says, time passing); every accepted amount was whole fen; \`verify\` clean afterwards (${totals.events} events, ${totals.postings} postings, ${totals.awards} awards).`,
        '',
        table(
          ['outcome', 'events'],
          [
            ['accepted', String(counts.accepted)],
            ['duplicate', String(counts.duplicate)],
            ...[...codes].sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => [`rejected: \`${code}\``, String(n)]),
          ],
        ),
        '',
        file ? `Inputs tried: \`${file}\`.` : '',
      ].join('\n'),
    );
  });
});
