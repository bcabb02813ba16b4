import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { Service } from '../../src/service/service.ts';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';
import type { FastifyInstance } from 'fastify';

/**
 * The refusals docs/integration.md ("Errors and HTTP statuses") says are made before any route runs,
 * with the status HTTP has for them: `414 too_large` for a path parameter too long and `415 invalid`
 * for a body that is not JSON. Both as `npm start` serves the API (next to the console, whose
 * catch-all GET route used to answer a long parameter 404) and without the console.
 */
describe('414 and 415, with and without the console', () => {
  let dir: string;
  let sql: Sql;
  let withConsole: FastifyInstance;
  let bare: FastifyInstance;
  let key: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fenyong-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root">console</div>');
    sql = await openDatabase({});
    withConsole = await buildApp({ service: new Service(sql), platformToken: 'fyp_x', consoleDir: dir });
    bare = await buildApp({ service: new Service(sql), platformToken: 'fyp_x' });
    const created = await bare.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: { authorization: 'Bearer fyp_x' },
      payload: { id: 'transport', name: 'transport', plan: { templates: [] } },
    });
    expect(created.statusCode, created.body).toBe(201);
    key = created.json().adminKey;
  });

  afterAll(async () => {
    await withConsole?.close();
    await bare?.close();
    await sql?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const apps = () =>
    [
      ['with the console', withConsole],
      ['without the console', bare],
    ] as const;

  it('answers a path parameter longer than the router takes 414 too_large, GET included', async () => {
    const long = 'x'.repeat(2049);
    for (const [name, app] of apps()) {
      for (const [method, url] of [
        ['GET', `/v1/members/${long}`],
        ['GET', `/v1/statements/${long}?month=2026-03`],
        ['POST', `/v1/members/${long}/move`],
      ] as const) {
        const reply = await app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${key}` },
          ...(method === 'POST' ? { payload: { parent: 'L1' } } : {}),
        });
        expect(reply.statusCode, `${name}: ${method} ${url.slice(0, 30)}`).toBe(414);
        expect(reply.json().error.code).toBe('too_large');
      }
      // (A parameter within the limit is looked up as usual.)
      const unknown = await app.inject({
        method: 'GET',
        url: `/v1/members/${'x'.repeat(128)}`,
        headers: { authorization: `Bearer ${key}` },
      });
      expect(unknown.statusCode, name).toBe(404);
    }
    // The console's own pages are not API routes: any path there is still its index.html.
    const page = await withConsole.inject({ method: 'GET', url: `/members/${long}` });
    expect(page.statusCode).toBe(200);
  });

  it('answers a text/plain body 415 invalid, as any other body that is not application/json', async () => {
    for (const [name, app] of apps()) {
      for (const url of ['/v1/events', '/v1/adjustments', '/v1/keys']) {
        const reply = await app.inject({
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' },
          payload: '{"scope": "read"}',
        });
        expect(reply.statusCode, `${name}: ${url}`).toBe(415);
        expect(reply.json().error).toMatchObject({ code: 'invalid', message: expect.stringContaining('application/json') });
      }
    }
  });

  it("reads a payer's result file sent as text/plain as CSV", async () => {
    const reply = await bare.inject({
      method: 'POST',
      url: '/v1/payouts/batches/PB-NONE/results',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' },
      payload: 'reference,status\nPB-NONE-000001,paid\n',
    });
    // The file is read; the batch it names does not exist.
    expect(reply.statusCode, reply.body).toBe(404);
    expect(reply.json().error.code).toBe('not_found');
  });
});
