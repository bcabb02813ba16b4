import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  engineRefusal,
  errorBody,
  STATUS_OF_CODE,
  statusOf,
  TRANSPORT_STATUSES,
  type ApiErrorCode,
} from '../../src/api/errors.ts';
import { createTenant, startApp, type ApiClient, type Reply, type TestApp } from '../support/app.ts';

/**
 * One HTTP status per error code, on every route (src/api/errors.ts, STATUS_OF_CODE, and
 * docs/integration.md, "Errors"): the table itself, the routes' sources held to it, the OpenAPI
 * document telling it, and the refusals that used to differ from route to route answered by it.
 */

/** The table as the docs give it: a change of a status is a change of the API, made here too. */
const SPEC: Record<ApiErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  cycle: 409,
  too_large: 413,
  unknown_member: 422,
  unknown_order: 422,
  unknown_withdrawal: 422,
  refund_exceeds_paid: 422,
  below_minimum: 422,
  insufficient_funds: 422,
  limit_exceeded: 422,
  rate_limited: 429,
  internal: 500,
  storage_unavailable: 503,
};

const API_DIR = join(import.meta.dirname, '../../src/api');

function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => {
      const file = join(entry.parentPath, entry.name);
      return { file: file.slice(API_DIR.length + 1), text: readFileSync(file, 'utf8') };
    });
}

describe('the status of each error code', () => {
  it('is one status per code, for every code the error body may carry', () => {
    expect(STATUS_OF_CODE).toEqual(SPEC);
    expect(Object.keys(STATUS_OF_CODE).sort()).toEqual([...errorBody.shape.error.shape.code.options].sort());
    for (const [code, status] of Object.entries(SPEC)) expect(statusOf(code as ApiErrorCode), code).toBe(status);
    expect(ApiError.of('cycle', 'x').status).toBe(409);
  });

  it('answers an engine refusal by its code, and an unknown id taken from the URL as 404 not_found', () => {
    const unknown = { code: 'unknown_member', message: 'member M is not in the network', path: ['member'] } as const;
    expect(engineRefusal(unknown)).toMatchObject({ status: 422, code: 'unknown_member', path: ['member'] });
    expect(engineRefusal(unknown, ['member'])).toMatchObject({ status: 404, code: 'not_found' });
    const parent = { code: 'unknown_member', message: 'new parent P is not a member', path: ['parent'] } as const;
    expect(engineRefusal(parent, ['member'])).toMatchObject({ status: 422, code: 'unknown_member' });
    expect(engineRefusal({ code: 'cycle', message: 'x', path: ['parent'] }, ['member']).status).toBe(409);
    expect(engineRefusal({ code: 'invalid', message: 'x', path: ['member'] }, ['member']).status).toBe(400);
  });

  it('is what every ApiError and error reply written in src/api with a literal status gives its code', () => {
    const transport = new Set(TRANSPORT_STATUSES.map(({ status, code }) => `${status} ${code}`));
    const found: string[] = [];
    for (const { file, text } of sources(API_DIR)) {
      for (const match of text.matchAll(/new ApiError\(\s*([^,]+),\s*'(\w+)'/g)) {
        found.push(`${file}: ${match[1]} ${match[2]}`);
        if (file === 'errors.ts') continue; // ApiError.of: statusOf(code)
        expect(Number(match[1]), `${file}: new ApiError(${match[1]}, '${match[2]}')`).toBe(SPEC[match[2] as ApiErrorCode]);
      }
      for (const match of text.matchAll(/\.status\((\d{3})\)\s*\.send\(\{\s*error:\s*\{\s*code:\s*'(\w+)'/g)) {
        found.push(`${file}: reply ${match[1]} ${match[2]}`);
        if (transport.has(`${match[1]} ${match[2]}`)) continue;
        expect(Number(match[1]), `${file}: reply.status(${match[1]}) with ${match[2]}`).toBe(SPEC[match[2] as ApiErrorCode]);
      }
      // No route maps engine codes to statuses of its own any more (engineRefusal does).
      expect(text, file).not.toMatch(/code === '\w+' \? \d{3}/);
    }
    expect(found.length).toBeGreaterThan(5);
  });
});

describe('errors over HTTP', () => {
  let test: TestApp;
  let admin: ApiClient;

  const expectError = (reply: Reply, status: number, code: ApiErrorCode) => {
    expect({ status: reply.status, code: reply.body?.error?.code }, reply.text).toEqual({ status, code });
    expect(statusOf(code)).toBe(status);
  };

  beforeAll(async () => {
    test = await startApp('pglite');
    ({ admin } = await createTenant(test, { id: 'errors', plan: { templates: [] } }));
    await admin.ok(
      admin.post('/v1/network/import', {
        members: [
          { id: 'L1', role: 'leader' },
          { id: 'L2', role: 'leader', parent: 'L1' },
          { id: 'C1', role: 'customer', parent: 'L2' },
        ],
      }),
    );
  });
  afterAll(async () => {
    await test?.close();
  });

  it('tells every documented status and its codes in the OpenAPI document, on every operation', async () => {
    const doc = (await test.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const statuses = [...new Set([...Object.values(SPEC), ...TRANSPORT_STATUSES.map(({ status }) => status)])].sort();
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>)) {
      for (const [method, operation] of Object.entries(item)) {
        operations += 1;
        const responses = operation.responses as Record<string, { description: string }>;
        const errors = Object.keys(responses).filter((status) => Number(status) >= 400);
        expect(errors.map(Number).sort(), `${method} ${path}`).toEqual(statuses);
        for (const [code, status] of Object.entries(SPEC)) expect(responses[String(status)]!.description).toContain(code);
      }
    }
    expect(operations).toBeGreaterThan(50);
  });

  it('answers 404 not_found when the URL names no such member or withdrawal', async () => {
    expectError(await admin.post('/v1/members/nobody/move', { parent: 'L1' }), 404, 'not_found');
    expectError(await admin.post('/v1/members/nobody/level', { level: 2 }), 404, 'not_found');
    expectError(await admin.post('/v1/members/nobody/tokens', {}), 404, 'not_found');
    expectError(await admin.get('/v1/statements/nobody', { month: '2026-03' }), 404, 'not_found');
    expectError(await admin.post('/v1/withdrawals/NOPE/approve', {}), 404, 'not_found');
    expectError(await admin.get('/v1/members/nobody'), 404, 'not_found');
  });

  it('answers 422 with the code when the body names a member the tenant does not know', async () => {
    expectError(
      await admin.post('/v1/members', { member: { id: 'C9', role: 'customer', parent: 'ghost' } }),
      422,
      'unknown_member',
    );
    expectError(await admin.post('/v1/members/C1/move', { parent: 'ghost' }), 422, 'unknown_member');
    expectError(
      await admin.post('/v1/withdrawals', { withdrawal: 'W-x', member: 'ghost', amount: '1.00' }),
      422,
      'unknown_member',
    );
    expectError(
      await admin.post('/v1/adjustments', { adjustment: 'A-x', member: 'ghost', amount: '1.00', reason: 'x' }),
      422,
      'unknown_member',
    );
    const estimate = { buyer: 'C1', referrer: 'ghost', lines: [{ sku: 'tea', price: '10.00' }] };
    expectError(await admin.post('/v1/estimate', estimate), 422, 'unknown_member');
    // A starting network refused whole names its parent in the body too.
    const fresh = (await createTenant(test, { id: 'errors-import', plan: { templates: [] } })).admin;
    const orphan = await fresh.post('/v1/network/import', { members: [{ id: 'C1', role: 'customer', parent: 'ghost' }] });
    expectError(orphan, 422, 'unknown_member');
  });

  it('answers 409 a request that clashes with what exists: an id reused, a loop, a withdrawal past that step', async () => {
    expectError(await admin.post('/v1/members/L1/move', { parent: 'L2' }), 409, 'cycle');
    await admin.ok(admin.post('/v1/adjustments', { adjustment: 'A1', member: 'L1', amount: '50.00', reason: 'opening' }));
    const reused = await admin.post('/v1/adjustments', { adjustment: 'A1', member: 'L1', amount: '60.00', reason: 'opening' });
    expectError(reused, 409, 'conflict');
    await admin.ok(admin.post('/v1/withdrawals', { withdrawal: 'W1', member: 'L1', amount: '10.00' }));
    await admin.ok(admin.post('/v1/withdrawals/W1/paid', {}));
    const late = await admin.post('/v1/withdrawals/W1/failed', { reason: 'bounced' });
    expectError(late, 409, 'conflict');
    expect(late.body.error).toMatchObject({ path: ['withdrawal'], message: expect.stringContaining('is paid') });
  });

  it('answers 400 invalid a request wrong in itself, a rule refusing a value included', async () => {
    expectError(await admin.post('/v1/members/C1/tokens', {}), 400, 'invalid');
    const fiveLevels = { id: 'ml', template: 'multi-level', params: { rates: ['10%', '5%', '3%', '2%', '1%'], base: 'paid' } };
    const effectiveFrom = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const refused = await admin.post('/v1/plans', { plan: { templates: [fiveLevels] }, effectiveFrom });
    expectError(refused, 400, 'invalid');
    expect(refused.body.error.message).toContain('multi-level-over-3');
    expectError(await admin.post('/v1/members/L1/promote', {}), 400, 'invalid');
    expectError(await admin.get('/v1/adjustments', { after: 'x' }), 400, 'invalid');
  });

  it('answers 422 an amount the ledger does not allow', async () => {
    const tooMuch = await admin.post('/v1/withdrawals', { withdrawal: 'W-big', member: 'L2', amount: '1000.00' });
    expectError(tooMuch, 422, 'insufficient_funds');
  });
});
