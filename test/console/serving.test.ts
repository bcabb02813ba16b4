import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { Service } from '../../src/service/service.ts';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';
import type { FastifyInstance } from 'fastify';

/** How the server serves the built console next to the API (no browser, a stand-in dist). */
describe('serving the console', () => {
  let dir: string;
  let sql: Sql;
  let app: FastifyInstance;
  let bare: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fenyong-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root">console</div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    sql = await openDatabase({});
    app = await buildApp({ service: new Service(sql), platformToken: 'fyp_x', consoleDir: dir });
    bare = await buildApp({ service: new Service(sql), platformToken: 'fyp_x', consoleDir: join(dir, 'missing') });
  });

  afterAll(async () => {
    await app?.close();
    await bare?.close();
    await sql?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html at / and for every console route, never cached', async () => {
    for (const url of [
      '/',
      '/network?member=L1',
      '/members/L111',
      '/members/a.b',
      '/plans',
      '/events?tab=rejected',
      '/settings',
      '/no/such/page',
    ]) {
      const reply = await app.inject({ method: 'GET', url });
      expect(reply.statusCode, url).toBe(200);
      expect(reply.headers['content-type'], url).toMatch(/text\/html/);
      expect(reply.body, url).toContain('console');
      expect(reply.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('serves hashed assets with a long cache, and a missing asset is a 404', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ method: 'GET', url: '/assets/gone-123.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/favicon.ico' })).statusCode).toBe(404);
  });

  it('leaves /v1, /docs and /openapi.json to the API', async () => {
    const doc = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toBe('3.1.0');
    const docs = await app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(docs.statusCode);
    expect(docs.body).not.toContain('id="root">console');
    const unknown = await app.inject({ method: 'GET', url: '/v1/no-such-thing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /v1/no-such-thing' } });
    const post = await app.inject({ method: 'POST', url: '/members/L1', payload: {} });
    expect(post.statusCode).toBe(404);
    const unauthorised = await app.inject({ method: 'GET', url: '/v1/members' });
    expect(unauthorised.statusCode).toBe(401);
  });

  it('says how to build the console when console/dist is missing', async () => {
    const reply = await bare.inject({ method: 'GET', url: '/plans' });
    expect(reply.statusCode).toBe(503);
    expect(reply.body).toContain('npm run build:console');
    expect((await bare.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
  });
});
