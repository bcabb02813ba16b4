import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startApp, type ApiClient, type Json, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { awardChanges, type ChangeCursor } from '../../src/api/award-changes.ts';
import type { Sql } from '../../src/store/sql.ts';

/**
 * Polling `GET /v1/awards?after=…` reads the ledger's postings after the cursor in windows of
 * about a page's worth (src/api/award-changes.ts). Specified here against the plain listing:
 * paging through every change answers each award once, at its last change, in the listing's
 * order — across windows, across an event larger than a window (a day's settlements) at one
 * window per page, with filters that leave windows empty, and from cursors of earlier formats.
 */

const plan = {
  freezeDays: 7,
  templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } }],
};
const members = [
  { id: 'L1', role: 'leader' },
  ...Array.from({ length: 30 }, (_, i) => ({ id: `L${i + 2}`, role: 'leader', parent: i < 5 ? 'L1' : `L${(i % 5) + 2}` })),
  ...Array.from({ length: 90 }, (_, i) => ({ id: `C${i}`, role: 'customer', parent: `L${(i % 30) + 2}` })),
];
const day = (d: number, minute = 0) =>
  new Date(Date.parse('2026-03-01T00:00:00Z') + d * 86_400_000 + minute * 60_000).toISOString();
const ORDERS = 700;

/** Day 1: 700 orders paid; day 2: all completed; day 10: one more order, whose instant settles the 1400 awards at once. */
function history(): Json[] {
  const events: Json[] = [];
  for (let n = 0; n < ORDERS; n++)
    events.push({
      type: 'order.paid',
      at: day(1, n),
      order: `O${n}`,
      buyer: `C${n % 90}`,
      lines: [{ line: 1, sku: 'tea', qty: 1, paid: `${10 + (n % 50)}.00` }],
    });
  for (let n = 0; n < ORDERS; n++) events.push({ type: 'order.completed', at: day(2, n), order: `O${n}` });
  events.push({
    type: 'order.paid',
    at: day(10),
    order: 'LAST',
    buyer: 'C1',
    lines: [{ line: 1, sku: 'tea', qty: 1, paid: '99.00' }],
  });
  events.push({ type: 'order.refunded', at: day(11), order: 'O3', refund: 'R3', lines: [{ line: 1, qty: 1, amount: '13.00' }] });
  return events;
}

/** The cursor before every change. */
const START = Buffer.from('c3:0:-').toString('base64url');

const label = (a: Json) => `${a.to} ${a.order ?? a.period} ${a.rule} ${a.amount} ${a.status}`;

async function pollAll(
  admin: ApiClient,
  query: Record<string, unknown>,
  after?: string,
): Promise<{ seen: Json[]; cursor: string }> {
  const seen: Json[] = [];
  let cursor = after;
  for (let page = 0; page < 2000; page++) {
    const reply = await admin.ok<{ awards: Json[]; cursor: string }>(
      admin.get('/v1/awards', { ...query, ...(cursor !== undefined ? { after: cursor } : {}) }),
    );
    if (reply.awards.length === 0 && reply.cursor === cursor) return { seen, cursor };
    seen.push(...reply.awards);
    cursor = reply.cursor;
  }
  throw new Error('polling did not come to an end');
}

describe.each<Backend>(['pglite', 'postgres'])('polling awards on %s', (backend) => {
  let test: TestApp;
  let admin: ApiClient;
  let listing: Json[];

  beforeAll(async () => {
    test = await startApp(backend);
    const shop = await createTenant(test, { id: `poll-${backend}`, plan });
    admin = shop.admin;
    await admin.ok(admin.post('/v1/network/import', { members }));
    const events = history();
    for (let i = 0; i < events.length; i += 1000) await admin.ok(admin.post('/v1/events', { events: events.slice(i, i + 1000) }));
    listing = (await admin.ok<{ awards: Json[] }>(admin.get('/v1/awards', { limit: 5000 }))).awards;
  });
  afterAll(async () => {
    await test?.close();
  });

  it('answers every award once, at its last change, in the listing order, a few at a time', async () => {
    expect(listing.length).toBeGreaterThanOrEqual(2 * ORDERS);
    expect(listing.filter((a) => a.status === 'settled').length).toBeGreaterThan(2 * ORDERS - 10);
    const { seen } = await pollAll(admin, { limit: 37 }, START);
    expect(seen.map(label)).toEqual(listing.map(label));
  });

  it('pages through an event larger than a window (1,400 settlements) reading one window of postings per page', async () => {
    // Counts the postings windows each poll reads (the statement that reads postings by journal).
    let windows = 0;
    const counting = {
      query: (text: string, params?: unknown[], options?: unknown) => {
        if (text.includes('from postings p')) windows += 1;
        return test.sql.query(text, params as never, options as never);
      },
    } as unknown as Sql;
    const filters = { member: null, order: null, period: null, rule: null, includeZero: false };
    const perPage: number[] = [];
    const seen: string[] = [];
    let cursor: ChangeCursor = { journal: 0, key: null };
    for (let page = 0; page < 200; page++) {
      windows = 0;
      const { rows, next } = await awardChanges(counting, `poll-${backend}`, cursor, filters, 37);
      if (rows.length === 0) break;
      perPage.push(windows);
      seen.push(...rows.map((r) => `${r.member} ${r.order_id ?? r.period} ${r.rule}`));
      cursor = next;
    }
    expect(seen).toEqual(listing.map((a) => `${a.to} ${a.order ?? a.period} ${a.rule}`));
    expect(perPage.length).toBeGreaterThan(1400 / 37);
    // The first page skips the windows of payments (their awards changed again at settlement).
    expect(perPage.slice(1).every((n) => n === 1)).toBe(true);
  });

  it('goes on from the last cursor with only what changed since', async () => {
    const { cursor } = await pollAll(admin, { limit: 500 }, Buffer.from('c2:0:0:-').toString('base64url'));
    const refund = {
      type: 'order.refunded',
      at: day(12),
      order: 'O5',
      refund: 'R5',
      lines: [{ line: 1, qty: 1, amount: '15.00' }],
    };
    await admin.ok(admin.post('/v1/events', refund));
    const { seen } = await pollAll(admin, { limit: 500, includeZero: true }, cursor);
    expect(seen.map(label).sort()).toEqual(['L2 O5 direct 0.00 settled', 'L7 O5 direct 0.00 settled']);
  });

  it('skips windows a filter leaves empty, and answers the filtered awards once', async () => {
    const { seen } = await pollAll(admin, { member: 'L1', limit: 5 }, Buffer.from('c2:0:0:-').toString('base64url'));
    const expected = (await admin.ok<{ awards: Json[] }>(admin.get('/v1/awards', { member: 'L1', limit: 5000 }))).awards;
    expect(expected.length).toBeGreaterThan(0);
    expect(seen.map(label)).toEqual(expected.map(label));
  });

  it('answers an award a full refund brought to zero and later settled (no money moved, no posting), once, at the refund', async () => {
    // The refund's postings come windows before the settlement, which posts nothing for a zero
    // award: the award's row keeps the position of the refund (persist.ts, awardsQuiet). The
    // settlement comes in a batch of its own, small enough for the one-statement write.
    const zero = await createTenant(test, { id: `poll-zero-${backend}`, plan });
    await zero.admin.ok(zero.admin.post('/v1/network/import', { members }));
    const events = history();
    events.splice(
      0,
      0,
      { type: 'order.paid', at: day(0), order: 'Z', buyer: 'C0', lines: [{ line: 1, sku: 'tea', qty: 1, paid: '20.00' }] },
      { type: 'order.refunded', at: day(0, 1), order: 'Z', refund: 'RZ', lines: [{ line: 1, qty: 1, amount: '20.00' }] },
      { type: 'order.completed', at: day(0, 2), order: 'Z' },
    );
    const settling = events.splice(events.length - 2); // (the order whose instant settles them all, a refund)
    for (let i = 0; i < events.length; i += 1000)
      await zero.admin.ok(zero.admin.post('/v1/events', { events: events.slice(i, i + 1000) }));
    await zero.admin.ok(zero.admin.post('/v1/events', { events: settling }));
    const all = (await zero.admin.ok<{ awards: Json[] }>(zero.admin.get('/v1/awards', { includeZero: true, limit: 5000 })))
      .awards;
    expect(
      all
        .filter((a) => a.order === 'Z')
        .map(label)
        .sort(),
    ).toEqual(['L1 Z direct 0.00 settled', 'L2 Z direct 0.00 settled']);
    const { seen } = await pollAll(zero.admin, { limit: 37, includeZero: true }, Buffer.from('c2:0:0:-').toString('base64url'));
    expect(seen.map(label)).toEqual(all.map(label));
  });

  it('gives rows written before migration 013 the journal the writer gives them', async () => {
    const tenant = `poll-${backend}`;
    const journals = () =>
      test.sql.query<{ award_key: string; updated_journal: string | null }>(
        'select award_key, updated_journal::text as updated_journal from awards where tenant_id = $1 order by award_key',
        [tenant],
      );
    const written = (await journals()).rows;
    expect(written.filter((row) => row.updated_journal !== null).length).toBeGreaterThan(2 * ORDERS);
    const migration = readFileSync(new URL('../../src/store/migrations/013_award_updated_journal.sql', import.meta.url), 'utf8');
    const update = migration.slice(migration.indexOf('update awards'));
    await test.sql.transaction(async (tx) => {
      await tx.query('update awards set updated_journal = null where tenant_id = $1', [tenant]);
      await tx.query(update);
      expect(
        (
          await tx.query<{ award_key: string; updated_journal: string | null }>(
            'select award_key, updated_journal::text as updated_journal from awards where tenant_id = $1 order by award_key',
            [tenant],
          )
        ).rows,
      ).toEqual(written);
    });
  });

  it('reads cursors of earlier formats (log position|award key; c2), and a listing’s cursor', async () => {
    const legacy = Buffer.from('0|').toString('base64url');
    const fromLegacy = await pollAll(admin, { limit: 300 }, legacy);
    expect(fromLegacy.seen.map(label)).toEqual(
      (await admin.ok<{ awards: Json[] }>(admin.get('/v1/awards', { limit: 5000 }))).awards.map(label),
    );
    const first = await admin.ok<{ awards: Json[]; cursor: string }>(admin.get('/v1/awards', { limit: 100 }));
    const rest = await pollAll(admin, { limit: 300 }, first.cursor);
    expect([...first.awards, ...rest.seen].map(label)).toEqual(fromLegacy.seen.map(label));
    const second = await pollAll(admin, { limit: 300 }, Buffer.from('c2:0:0:-').toString('base64url'));
    expect(second.seen.map(label)).toEqual(fromLegacy.seen.map(label));
    for (const bad of ['c2:x:1:-', 'c3:x:-', 'c3:1', 'nonsense'])
      expect((await admin.get('/v1/awards', { after: Buffer.from(bad).toString('base64url') })).status).toBe(400);
  });
});
