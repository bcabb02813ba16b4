import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createKey, forgetCachedKeys, isPlatformToken, verifyKey } from '../../src/service/keys.ts';
import { forgetCachedMemberTokens, issueMemberToken, verifyMemberToken } from '../../src/service/member-tokens.ts';
import type { Sql } from '../../src/store/sql.ts';
import { recordFigures } from './support/figures.ts';

/** Every comparison of a secret goes through crypto.timingSafeEqual (spied on here). */
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

/** A row of api_keys, or of member_tokens (with its member and expiry). */
type KeyRow = { tenant_id: string; scope: string; secret_hash: string; member?: string; expires_at?: string };

/** An api_keys (and member_tokens) table in memory, recording every query. */
function keyTable(): {
  sql: Sql;
  rows: Map<string, KeyRow>;
  queries: { text: string; params: readonly unknown[] }[];
} {
  const rows = new Map<string, KeyRow>();
  const queries: { text: string; params: readonly unknown[] }[] = [];
  const sql: Sql = {
    kind: 'pglite',
    async query<Row>(text: string, params: readonly unknown[] = []) {
      queries.push({ text, params });
      if (text.startsWith('insert into api_keys')) {
        rows.set(String(params[0]), { tenant_id: String(params[1]), scope: String(params[2]), secret_hash: String(params[3]) });
        return { rows: [] as Row[] };
      }
      if (text.startsWith('insert into member_tokens')) {
        const [id, tenant, member, secretHash, , expires] = params.map(String);
        rows.set(id!, { tenant_id: tenant!, scope: 'member', secret_hash: secretHash!, member, expires_at: expires });
        return { rows: [] as Row[] };
      }
      const row = rows.get(String(params[0]));
      return { rows: (row ? [row] : []) as Row[] };
    },
    transaction: (work) => work(sql, []),
    copy: async () => undefined,
    listen: async () => ({ close: async () => undefined }),
    close: async () => undefined,
  };
  return { sql, rows, queries };
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
const compared = () => vi.mocked(crypto.timingSafeEqual).mock.calls;

describe('API keys: hashed at rest, compared in constant time', () => {
  beforeEach(() => {
    vi.mocked(crypto.timingSafeEqual).mockClear();
    forgetCachedKeys();
  });

  it('stores only the sha256 of the secret; the key text is answered once and kept nowhere', async () => {
    const table = keyTable();
    const created = await createKey(table.sql, 'shop', 'read', 'label');
    const [, id, secret] = /^fyk_([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{32})$/.exec(created.key)!;
    expect(table.rows.get(id!)?.secret_hash).toBe(sha256(secret!));
    expect(JSON.stringify(table.queries)).not.toContain(secret);
  });

  it('compares a presented secret with timingSafeEqual on two 32-byte hashes, right or wrong', async () => {
    const table = keyTable();
    const created = await createKey(table.sql, 'shop', 'admin');
    expect(await verifyKey(table.sql, created.key)).toEqual({ id: created.id, tenant: 'shop', scope: 'admin' });
    const wrong = `${created.key.slice(0, -1)}${created.key.endsWith('A') ? 'B' : 'A'}`;
    expect(await verifyKey(table.sql, wrong)).toBeNull();
    expect(compared()).toHaveLength(2);
    for (const [a, b] of compared()) {
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });

  it('does the same comparison for a key id that does not exist (or is revoked), so timing tells nothing', async () => {
    const table = keyTable();
    expect(await verifyKey(table.sql, `fyk_${'z'.repeat(12)}.${'y'.repeat(32)}`)).toBeNull();
    expect(compared()).toHaveLength(1);
  });

  it('refuses malformed keys before any lookup', async () => {
    const table = keyTable();
    for (const bad of [
      '',
      'fyk_',
      'fyk_abc.def',
      `fyk_${'a'.repeat(12)}.${'b'.repeat(31)}`,
      `fyk_${'a'.repeat(12)}.${'b'.repeat(32)}x`,
      `fyk_${'a'.repeat(12)}.${'b'.repeat(31)}\u0000`,
      'Bearer x',
    ]) {
      expect(await verifyKey(table.sql, bad)).toBeNull();
    }
    expect(table.queries).toEqual([]);
  });

  it('compares the platform token in constant time whatever the length presented', () => {
    expect(isPlatformToken('fyp_secret-token', 'fyp_secret-token')).toBe(true);
    for (const presented of ['', 'f', 'fyp_secret-toke', 'fyp_secret-tokenX', 'x'.repeat(10_000)])
      expect(isPlatformToken('fyp_secret-token', presented)).toBe(false);
    expect(isPlatformToken(undefined, 'anything')).toBe(false);
    expect(compared()).toHaveLength(6);
    for (const [a, b] of compared()) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    recordFigures(
      'security',
      '2-keys',
      '### API keys\n\nStored as sha256 of their secret only (checked on the rows and on every table in `test/api/isolation.test.ts`); every check of a key or the platform token goes through `crypto.timingSafeEqual` on two 32-byte hashes, also for an unknown or revoked key id (`test/reliability/security-keys.test.ts`). Member tokens (`fym_…`, the read-only console sign-in of a leader) are made, stored and checked the same way, and refused once expired.',
    );
  });
});

describe('member tokens: hashed at rest, compared in constant time, like API keys', () => {
  beforeEach(() => {
    vi.mocked(crypto.timingSafeEqual).mockClear();
    forgetCachedMemberTokens();
  });
  const NOW = Date.parse('2026-04-01T00:00:00Z');
  const issue = (sql: Sql) => issueMemberToken(sql, { tenant: 'shop', member: 'L1', days: 30, by: 'admin-key', now: NOW });

  it('stores only the sha256 of the secret; the token text is answered once and kept nowhere', async () => {
    const table = keyTable();
    const issued = await issue(table.sql);
    const [, id, secret] = /^fym_([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{32})$/.exec(issued.token)!;
    expect(table.rows.get(id!)?.secret_hash).toBe(sha256(secret!));
    expect(JSON.stringify(table.queries)).not.toContain(secret);
  });

  it('compares with timingSafeEqual on two 32-byte hashes, right, wrong or unknown; refuses an expired token', async () => {
    const table = keyTable();
    const issued = await issue(table.sql);
    expect(await verifyMemberToken(table.sql, issued.token, NOW)).toEqual({
      id: issued.id,
      tenant: 'shop',
      member: 'L1',
      expiresAt: issued.expiresAt,
    });
    const wrong = `${issued.token.slice(0, -1)}${issued.token.endsWith('A') ? 'B' : 'A'}`;
    expect(await verifyMemberToken(table.sql, wrong, NOW)).toBeNull();
    expect(await verifyMemberToken(table.sql, `fym_${'z'.repeat(12)}.${'y'.repeat(32)}`, NOW)).toBeNull();
    expect(await verifyMemberToken(table.sql, issued.token, Date.parse(issued.expiresAt))).toBeNull();
    expect(compared()).toHaveLength(4);
    for (const [a, b] of compared()) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
  });

  it('refuses malformed tokens (and API keys) before any lookup', async () => {
    const table = keyTable();
    for (const bad of [
      '',
      'fym_',
      'fym_abc.def',
      `fym_${'a'.repeat(12)}.${'b'.repeat(31)}`,
      `fyk_${'a'.repeat(12)}.${'b'.repeat(32)}`,
    ]) {
      expect(await verifyMemberToken(table.sql, bad, NOW)).toBeNull();
    }
    expect(table.queries).toEqual([]);
  });
});
