import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { table } from '../../bench/support/report.ts';
import { bodyLimitOf, buildApp } from '../../src/api/app.ts';
import { Service } from '../../src/service/service.ts';
import { PLATFORM_TOKEN } from '../support/app.ts';
import { openTestDatabase, type TestDatabase } from '../support/db.ts';
import { errorSchemaProblem } from './support/errors.ts';
import { recordFigures } from './support/figures.ts';
import { operationName, operationsOf, type Operation } from './support/openapi.ts';
import type { FastifyInstance } from 'fastify';

/**
 * Request limits: a rate limit per API key (by its id; per address without a valid key, so that
 * guessing keys is limited too), answered 429 in the error schema with Retry-After; and body
 * limits per route, answered 413 in the error schema before the body is read: 10 MB at every
 * operation taking a body (over every route's limit but the payer's result file, sent 1 byte over
 * its 32 MB), and small routes refusing what only bulk routes need.
 */

const MAX = 5;
const WINDOW_MS = 3000;
const TEN_MB = 10 * 1024 * 1024;

describe('rate limits per key and request size limits', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  /** The same API without a rate limit, for the size limits. */
  let unlimited: FastifyInstance;
  let operations: Operation[];
  const keys: string[] = [];
  const sizes: string[][] = [];

  const send = (options: {
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    url: string;
    key?: string | null;
    ip?: string;
    payload?: string | Buffer;
    contentType?: string;
    limited?: boolean;
  }) =>
    (options.limited === false ? unlimited : app).inject({
      method: options.method,
      url: options.url,
      remoteAddress: options.ip ?? '127.0.0.1',
      headers: {
        ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        ...(options.payload !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
      },
      ...(options.payload !== undefined ? { payload: options.payload } : {}),
    });

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    app = await buildApp({
      service: new Service(db.sql),
      platformToken: PLATFORM_TOKEN,
      rateLimit: { max: MAX, windowMs: WINDOW_MS },
    });
    await app.ready();
    unlimited = await buildApp({ service: new Service(db.sql), platformToken: PLATFORM_TOKEN });
    await unlimited.ready();
    const created = await send({
      method: 'POST',
      url: '/v1/tenants',
      key: PLATFORM_TOKEN,
      ip: '10.0.0.1',
      payload: JSON.stringify({ id: 'limits', name: 'limits' }),
    });
    expect(created.statusCode).toBe(201);
    const admin = created.json<{ adminKey: string }>().adminKey;
    keys.push(admin);
    const second = await send({
      method: 'POST',
      url: '/v1/keys',
      key: admin,
      ip: '10.0.0.1',
      payload: JSON.stringify({ scope: 'read' }),
    });
    keys.push(second.json<{ key: string }>().key);
    operations = operationsOf(JSON.parse((await send({ method: 'GET', url: '/openapi.json' })).body));
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS)); // a fresh window for the tests
  });

  afterAll(async () => {
    await app?.close();
    await unlimited?.close();
    await db?.close();
  });

  it('answers 429 rate_limited with Retry-After to a key over its limit, and counts each key on its own', async () => {
    const [first, second] = keys as [string, string];
    const statuses: number[] = [];
    for (let i = 0; i < MAX + 2; i++)
      statuses.push((await send({ method: 'GET', url: '/v1/me', key: first, ip: `10.1.0.${i}` })).statusCode);
    // (From a different address each time: the key is what counts.)
    expect(statuses).toEqual([...new Array(MAX).fill(200), 429, 429]);
    const limited = await send({ method: 'GET', url: '/v1/me', key: first });
    expect(limited.statusCode).toBe(429);
    expect(errorSchemaProblem(429, limited.headers['content-type'] as string, limited.body)).toBeNull();
    expect(limited.json<{ error: { code: string } }>().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(WINDOW_MS / 1000);
    expect((await send({ method: 'GET', url: '/v1/me', key: second })).statusCode).toBe(200);
  });

  it('counts requests without a valid key by address, so that guessing keys is limited too', async () => {
    const guesses: number[] = [];
    for (let i = 0; i < MAX + 1; i++)
      guesses.push(
        (
          await send({
            method: 'GET',
            url: '/v1/me',
            key: `fyk_${'g'.repeat(12)}.${String(i).padStart(32, '0')}`,
            ip: '10.2.0.1',
          })
        ).statusCode,
      );
    expect(guesses).toEqual([...new Array(MAX).fill(401), 429]);
    expect((await send({ method: 'GET', url: '/v1/me', key: null, ip: '10.2.0.2' })).statusCode).toBe(401);
  });

  it('lets a limited key through again once its window has passed', async () => {
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 200));
    expect((await send({ method: 'GET', url: '/v1/me', key: keys[0] })).statusCode).toBe(200);
    recordFigures(
      'security',
      '3-limits-rate',
      `### Rate limits\n\n\`@fastify/rate-limit\` (pinned), ${MAX} requests per ${WINDOW_MS / 1000} s in the test (default \`FENYONG_RATE_LIMIT=6000\` per \`FENYONG_RATE_LIMIT_WINDOW_SECONDS=10\`): a key over its limit gets \`429 rate_limited\` with \`Retry-After\` whatever address it comes from, another key of the same tenant is not affected, requests without a valid key are counted by address (${MAX} wrong keys, then 429), and the key passes again after the window.`,
    );
  });

  it('refuses a 10 MB body with 413 too_large at every operation taking a body, before reading it', async () => {
    const bodies = operations.filter((op) => op.takesBody);
    expect(bodies.length).toBeGreaterThan(25);
    for (const [index, op] of bodies.entries()) {
      const route = op.path.replace(/\{([^}]+)\}/g, ':$1');
      const limit = bodyLimitOf(op.method, route);
      const size = Math.max(TEN_MB, limit + 1);
      const url = op.path.replace('{tenant}', 'limits').replace(/\{[^}]+\}/g, 'x');
      const reply = await send({
        method: op.method as 'POST',
        url,
        key: op.path === '/v1/tenants' ? PLATFORM_TOKEN : keys[0],
        limited: false,
        ip: `10.3.${index}.1`,
        payload: Buffer.alloc(size, 0x20),
        contentType: op.path.endsWith('/results') ? 'text/csv' : 'application/json',
      });
      expect(reply.statusCode, `${operationName(op)} with ${size} bytes`).toBe(413);
      expect(errorSchemaProblem(413, reply.headers['content-type'] as string, reply.body)).toBeNull();
      expect(reply.json<{ error: { code: string } }>().error.code).toBe('too_large');
      sizes.push([`\`${operationName(op)}\``, `${(limit / 1024).toLocaleString('en-US')} KB`]);
    }
  });

  it('keeps small routes small: 100 KB refused where only a key, a payee or a withdrawal is sent; accepted in a batch of events', async () => {
    const big = JSON.stringify({ scope: 'read', label: 'x'.repeat(100 * 1024) });
    for (const url of ['/v1/keys', '/v1/withdrawals', '/v1/members/x/payee', '/v1/adjustments']) {
      const reply = await send({
        method: url.endsWith('payee') ? 'PUT' : 'POST',
        url,
        key: keys[0],
        limited: false,
        payload: big,
      });
      expect(reply.statusCode, url).toBe(413);
    }
    const events = JSON.stringify({ events: [{ type: 'tick', at: '2026-04-01T00:00:00Z', note: 'x'.repeat(100 * 1024) }] });
    expect((await send({ method: 'POST', url: '/v1/events', key: keys[0], limited: false, payload: events })).statusCode).toBe(
      200,
    );
    const byLimit = new Map<string, string[]>();
    for (const [op, limit] of sizes) byLimit.set(limit!, [...(byLimit.get(limit!) ?? []), op!]);
    recordFigures(
      'security',
      '3-limits-size',
      [
        '### Request size limits',
        '',
        `A 10 MB body (1 byte over the limit where it is larger) got \`413 too_large\` in the error schema at all ${sizes.length} operations taking a body; 100 KB is refused by small routes and taken in a batch of events.`,
        '',
        table(
          ['limit', 'operations'],
          [...byLimit].map(([limit, ops]) => [limit, ops.join(', ')]),
        ),
      ].join('\n'),
    );
  });
});
