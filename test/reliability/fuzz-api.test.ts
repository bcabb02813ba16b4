import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTenant } from '../../src/service/verify.ts';
import { table } from '../../bench/support/report.ts';
import { FUZZ_SEED, FUZZ_TIMEOUT_MS, fuzzRuns, recordFigures, recordInputs } from './support/figures.ts';
import { startFuzzFixture, type FuzzFixture } from './support/fixture.ts';
import { findingsTable, FUZZ_FINDINGS } from './support/findings.ts';
import { prototypePolluted } from './support/hostile.ts';
import { operationName, operationsOf, type Operation } from './support/openapi.ts';
import { Prober } from './support/probe.ts';
import { jsonRequests, RAW_BODIES, rawRequests, type Generated } from './support/requests.ts';
import { ledgerTotals, stateDigester } from './support/state.ts';

/**
 * Hostile requests at every operation of the OpenAPI document (so a new endpoint is fuzzed the day
 * it is added): parameters and JSON bodies generated from the documented schemas and broken one
 * field at a time (wrong types, edge numbers, negative and fractional fen, odd instants and zones,
 * unicode / zero-width / overlong ids, polluting keys, unknown fields), and raw bodies no schema
 * describes (broken JSON, deep nesting, other content types, invalid UTF-8). Whatever arrives:
 * never a 5xx, a refusal always in the one error schema with a stable code, and a refusal writes
 * nothing (a digest of every table before and after each request). At the end the ledger of the
 * fuzzed tenant still equals a clean replay of its events.
 */

/** The order operations are fuzzed in: reads, then writes, then removals (so removals do not starve the rest). */
const rank = (op: Operation) => (op.method === 'GET' ? 0 : op.method === 'DELETE' ? 2 : 1);

const JSON_RUNS = fuzzRuns(12);

interface Tally {
  cases: number;
  byStatus: Map<number, number>;
}

describe('fuzzing every endpoint of the OpenAPI document', { timeout: FUZZ_TIMEOUT_MS }, () => {
  let fixture: FuzzFixture;
  let prober: Prober;
  let operations: Operation[];
  const tallies = new Map<string, Tally>();
  const inputs: unknown[] = [];
  const findings: string[] = [];
  const started = Date.now();

  const tally = (kind: string, status: number) => {
    const entry = tallies.get(kind) ?? { cases: 0, byStatus: new Map() };
    entry.cases += 1;
    entry.byStatus.set(status, (entry.byStatus.get(status) ?? 0) + 1);
    tallies.set(kind, entry);
  };

  async function check(op: Operation, request: Generated, klass: string): Promise<void> {
    const result = await prober.probe(request);
    tally(klass, result.status);
    inputs.push({
      op: operationName(op),
      kind: request.kind,
      url: request.url,
      status: result.status,
      payload:
        typeof request.payload === 'string'
          ? request.payload.slice(0, 500)
          : request.payload
            ? `<${request.payload.length} bytes>`
            : undefined,
    });
    // Every finding is kept (not only the first), with the request that caused it.
    if (result.problems.length > 0 && findings.length < 100) {
      findings.push(
        `${operationName(op)} ${request.kind} ${request.url.slice(0, 300)} ${String(request.payload ?? '').slice(0, 200)}\n    → ${result.problems.join('; ')}`,
      );
    }
  }

  beforeAll(async () => {
    fixture = await startFuzzFixture('fz-api');
    prober = new Prober(fixture.test.app, await stateDigester(fixture.test.sql));
    const document = await fixture.admin.ok(fixture.admin.get('/openapi.json'));
    operations = operationsOf(document).sort((a, b) => rank(a) - rank(b));
  });

  afterAll(async () => {
    await fixture?.test.close();
  });

  it('finds the operations in the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(50);
  });

  it('answers generated parameters and bodies of every operation without a 5xx or a write on refusal', async () => {
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(jsonRequests(op, fixture.known, fixture.tenant.adminKey), (request) =>
          check(op, request, op.takesBody ? `${op.method} bodies` : `${op.method} parameters`),
        ),
        { seed: FUZZ_SEED, numRuns: JSON_RUNS },
      );
    }
    expect(findings).toEqual([]);
  });

  it('answers raw bodies (broken JSON, deep nesting, polluting keys, other types) to every operation taking a body', async () => {
    for (const op of operations.filter((o) => o.takesBody)) {
      for (const body of RAW_BODIES) {
        const [request] = fc.sample(
          rawRequests(op, fixture.known, fixture.tenant.adminKey).filter((r) => r.kind === `raw:${body.name}`),
          { seed: FUZZ_SEED, numRuns: 1 },
        );
        await check(op, request!, 'raw bodies');
      }
    }
    expect(findings).toEqual([]);
    expect(prototypePolluted()).toEqual([]);
  });

  it('leaves the fuzzed ledger equal to a clean replay, and no prototype polluted', async () => {
    const report = await verifyTenant(fixture.test.service, fixture.known.tenant);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(prototypePolluted()).toEqual([]);
    const totals = await ledgerTotals(fixture.test.sql, fixture.known.tenant);
    const file = recordInputs('fuzz-api-inputs', inputs);
    const rows = [...tallies].map(([kind, t]) => [
      kind,
      String(t.cases),
      [...t.byStatus]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' '),
    ]);
    recordFigures(
      'fuzz',
      '1-api',
      [
        `### HTTP API: ${operations.length} operations of /openapi.json`,
        '',
        `${inputs.length.toLocaleString('en-US')} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${FUZZ_SEED}; ${JSON_RUNS} generated requests per operation, FUZZ_RUNS raises it; every raw body at every operation taking one). No 5xx; every refusal in the error schema; no table changed on a refusal; \`verify\` clean afterwards (ledger: ${totals.events} events, ${totals.postings} postings).`,
        '',
        table(['class', 'requests', 'answers (status × count)'], rows),
        '',
        file ? `Inputs tried: \`${file}\` (one JSON line per request).` : '',
      ].join('\n'),
    );
    recordFigures(
      'fuzz',
      '9-findings',
      `### Found by the fuzz suite and fixed (${FUZZ_FINDINGS.length})\n\n${findingsTable(FUZZ_FINDINGS)}`,
    );
  });
});
