import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServerProcess, type ServerProcess } from '../nats/support/server.ts';
import { createSchema, type TestSchema } from '../nats/support/postgres.ts';
import { recordFigures } from './support/figures.ts';

/**
 * No secret and no personal data in the logs: the real server with request logging on
 * (FENYONG_LOG=1) is taken through key creation, authenticated and refused requests, payee details
 * with a bank card, a phone number and an e-mail, a member id that is a phone number, an ID number
 * sent where it does not belong (a query, an unknown event field, a refused amount), a shop's signed
 * webhook and a webhook subscription with a token in its URL. Nothing it printed may contain any of them.
 */

const PLATFORM = 'fyp_logs-test-platform-token-8b1f';
const BANK_CARD = '6222021234567890123';
const PHONE = '13912345678';
const MEMBER_PHONE = '13800138000';
const EMAIL = 'zhang.sanfeng@example.com';
const REAL_NAME = '张三丰';
const ID_NUMBER = '11010119900307777X';
const MAPPING_SECRET = 'logs-mapping-secret-0123456789';
const URL_TOKEN = 'urltoken-5d2c9e0a';

describe('logs hold no secret and no personal data', () => {
  let db: TestSchema;
  let server: ServerProcess;
  const secrets = new Map<string, string>([
    ['platform token', PLATFORM],
    ['bank card', BANK_CARD],
    ['phone (account)', PHONE],
    ['phone (member id)', MEMBER_PHONE],
    ['e-mail', EMAIL],
    ['real name', REAL_NAME],
    ['ID number', ID_NUMBER],
    ['mapping secret', MAPPING_SECRET],
    ['token in a webhook URL', URL_TOKEN],
  ]);
  let requests = 0;

  async function call(
    method: string,
    path: string,
    key: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    requests += 1;
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(text !== undefined ? { body: text } : {}),
    });
    const raw = await response.text();
    return { status: response.status, body: raw.startsWith('{') ? (JSON.parse(raw) as Record<string, unknown>) : {} };
  }

  beforeAll(async () => {
    db = await createSchema('logs');
    server = await startServerProcess(
      { DATABASE_URL: db.url, FENYONG_LOG: '1', FENYONG_PLATFORM_TOKEN: PLATFORM, FENYONG_RATE_LIMIT: '0' },
      await freePort(),
    );
  });

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('logs requests by route, with none of the keys, tokens, accounts, phones, names or ID numbers they carried', async () => {
    const tenant = await call('POST', '/v1/tenants', PLATFORM, {
      id: 'logs',
      name: 'logs shop',
      plan: { templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%'], base: 'paid' } }] },
    });
    expect(tenant.status).toBe(201);
    const admin = tenant.body.adminKey as string;
    secrets.set('admin key', admin);
    const read = await call('POST', '/v1/keys', admin, { scope: 'read', label: 'logs' });
    secrets.set('read key', read.body.key as string);
    expect((await call('GET', '/v1/me', read.body.key as string)).status).toBe(200);
    const forged = `fyk_${'a'.repeat(12)}.${'b'.repeat(32)}`;
    secrets.set('forged key', forged);
    expect((await call('GET', '/v1/me', forged)).status).toBe(401);

    await call('POST', '/v1/network/import', admin, {
      members: [
        { id: 'L1', role: 'leader' },
        { id: MEMBER_PHONE, role: 'leader', parent: 'L1' },
      ],
    });
    for (const account of [BANK_CARD, PHONE, EMAIL]) {
      expect((await call('PUT', `/v1/members/${MEMBER_PHONE}/payee`, admin, { realName: REAL_NAME, account })).status).toBe(200);
    }
    expect((await call('GET', `/v1/members/${MEMBER_PHONE}/payee`, admin)).status).toBe(200);
    // Personal data sent where it does not belong: a search, an unknown field, a refused amount, a refused account.
    await call('GET', `/v1/members?q=${ID_NUMBER}`, admin);
    await call('POST', '/v1/events', admin, {
      events: [
        {
          type: 'member.joined',
          at: '2026-04-01T00:00:00Z',
          member: { id: 'c1', role: 'customer', parent: 'L1' },
          idNumber: ID_NUMBER,
        },
      ],
    });
    expect(
      (await call('POST', '/v1/withdrawals', admin, { withdrawal: 'w1', member: MEMBER_PHONE, amount: `${ID_NUMBER}` })).status,
    ).toBeGreaterThanOrEqual(400);
    expect(
      (await call('PUT', `/v1/members/${MEMBER_PHONE}/payee`, admin, { realName: REAL_NAME, account: `${ID_NUMBER}*${PHONE}` }))
        .status,
    ).toBe(400);
    expect((await call('POST', '/v1/events', admin, `{"type": "tick", "at": "${ID_NUMBER}`)).status).toBe(400);

    const hook = await call('POST', '/v1/webhooks', admin, { url: `https://shop.example/hook?token=${URL_TOKEN}` });
    expect(hook.status).toBe(201);
    secrets.set('webhook secret', hook.body.secret as string);
    const mapping = await call('PUT', '/v1/mappings/shop', admin, {
      expression: '{"type": "member.joined", "at": at, "member": {"id": id, "role": "customer", "parent": "L1"}}',
      samples: [{ name: 'signup', payload: { id: 'sample', at: '2026-04-01T00:00:00Z' } }],
      signature: { secret: MAPPING_SECRET },
    });
    expect(mapping.status).toBe(200);
    // Now: the refused withdrawal above was stamped with the time of its arrival, and time passed to it.
    const payload = JSON.stringify({ id: `c-${PHONE}`, at: new Date().toISOString() });
    const signature = createHmac('sha256', MAPPING_SECRET).update(payload).digest('hex');
    secrets.set('shop signature', signature);
    expect((await call('POST', '/v1/ingest/logs/shop', null, payload, { 'x-signature': signature })).status).toBe(200);
    expect(
      (await call('POST', '/v1/ingest/logs/shop', null, payload, { 'x-signature': signature.replace(/^./, '0') })).status,
    ).toBe(401);
    const created = await call('POST', '/v1/keys', admin, { scope: 'admin' });
    await call('DELETE', `/v1/keys/${String(created.body.id)}`, admin);
    secrets.set('revoked key', created.body.key as string);
    expect((await call('GET', '/v1/me', created.body.key as string)).status).toBe(401);

    await server.stop();
    const logs = server.output();
    const lines = logs.split('\n').filter((line) => line.startsWith('{'));
    // The logging ran (so that this test proves something): one line per request in and out, by route.
    expect(lines.filter((line) => line.includes('"request completed"')).length).toBeGreaterThanOrEqual(requests);
    expect(logs).toContain('/v1/members/:id/payee');
    // (A key's secret part alone would be a leak too.)
    const forms = (secret: string) => (secret.startsWith('fyk_') ? [secret, secret.slice(secret.indexOf('.') + 1)] : [secret]);
    const leaked = [...secrets].filter(([, secret]) => forms(secret).some((form) => logs.includes(form)));
    expect(leaked.map(([what]) => what)).toEqual([]);
    recordFigures(
      'security',
      '4-logs',
      `### No secret or personal data in logs\n\nThe server with \`FENYONG_LOG=1\` answered ${requests} requests (${lines.length} log lines); none of ${secrets.size} secrets and personal values it was sent appears in its output: ${[...secrets.keys()].join(', ')}. Requests are logged by method and route pattern only.`,
    );
  });
});
