import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../store/sql.ts';

export type Scope = 'admin' | 'ingest' | 'read';
export const SCOPES: readonly Scope[] = ['admin', 'ingest', 'read'];

/** What each scope may do: admin everything; ingest send events and read; read only read. */
export function allows(scope: Scope, need: Scope): boolean {
  if (scope === 'admin') return true;
  if (scope === 'ingest') return need !== 'admin';
  return need === 'read';
}

export interface ApiKey {
  readonly id: string;
  readonly tenant: string;
  readonly scope: Scope;
}

/** sha256 of a secret: what is stored of an API key or a member token (src/service/member-tokens.ts). */
export const hash = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/** Creates a key; the full text (`fyk_<id>.<secret>`) is returned once and only its hash is stored. */
export async function createKey(
  sql: Sql,
  tenant: string,
  scope: Scope,
  label?: string,
): Promise<{ id: string; key: string; scope: Scope }> {
  const id = randomBytes(9).toString('base64url');
  const secret = randomBytes(24).toString('base64url');
  await sql.query('insert into api_keys (id, tenant_id, scope, secret_hash, label) values ($1, $2, $3, $4, $5)', [
    id,
    tenant,
    scope,
    hash(secret).toString('hex'),
    label ?? null,
  ]);
  return { id, key: `fyk_${id}.${secret}`, scope };
}

interface KeyRow {
  tenant_id: string;
  scope: Scope;
  secret_hash: string;
}

/** Key rows looked up recently (hashes only), so that a busy client costs no query per request. */
const cache = new Map<string, { row: KeyRow | null; until: number }>();
const CACHE_MS = 10_000;

/** Forgets cached keys (after a revocation in this process; other instances expire in 10 s). */
export function forgetCachedKeys(): void {
  cache.clear();
}

/** Checks a presented key in constant time against the stored hash. */
export async function verifyKey(sql: Sql, presented: string): Promise<ApiKey | null> {
  const match = /^fyk_([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{32})$/.exec(presented);
  if (!match) return null;
  const [, id, secret] = match;
  const now = Date.now();
  let cached = cache.get(id!);
  if (!cached || cached.until < now) {
    const rows = (
      await sql.query<KeyRow>('select tenant_id, scope, secret_hash from api_keys where id = $1 and revoked_at is null', [id])
    ).rows;
    cached = { row: rows[0] ?? null, until: now + CACHE_MS };
    if (cache.size > 10_000) cache.clear();
    cache.set(id!, cached);
  }
  const row = cached.row;
  const equal = sameHash(row?.secret_hash ?? null, hash(secret!));
  return row && equal ? { id: id!, tenant: row.tenant_id, scope: row.scope } : null;
}

/** Compared against when an id is unknown: sha256 of nothing a key or token can hold. */
const NO_SECRET_HASH = hash('no such key');

/**
 * Whether a stored hash (hex; null when the id is unknown or revoked) equals the hash of the
 * presented secret, in constant time: an unknown id costs the same comparison as a known one.
 */
export function sameHash(storedHex: string | null, given: Buffer): boolean {
  const stored = storedHex === null ? NO_SECRET_HASH : Buffer.from(storedHex, 'hex');
  const equal = stored.length === given.length && timingSafeEqual(stored, given);
  return storedHex !== null && equal;
}

/** The platform operator's token (creates tenants), compared in constant time. */
export function isPlatformToken(expected: string | undefined, presented: string): boolean {
  if (!expected) return false;
  const a = hash(expected);
  const b = hash(presented);
  return timingSafeEqual(a, b);
}
