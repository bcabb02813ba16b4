import { randomBytes } from 'node:crypto';
import type { Sql } from '../store/sql.ts';
import { hash, sameHash } from './keys.ts';

/**
 * Member tokens (issue 6): what a leader (团长) signs in to the console with. Made, stored and
 * checked like API keys (src/service/keys.ts): `fym_<id>.<secret>`, shown once, only the sha256 of
 * the secret stored, compared in constant time. A token names one member of one tenant and only
 * reads (src/api/leader-access.ts says what); it lapses at its expiry or when revoked.
 */
export interface MemberToken {
  readonly id: string;
  readonly tenant: string;
  readonly member: string;
  readonly expiresAt: string;
}

export interface MemberTokenListing {
  readonly id: string;
  readonly member: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
}

/** How long a token lasts when the admin does not say (days), and at most. */
export const DEFAULT_TOKEN_DAYS = 30;
export const MAX_TOKEN_DAYS = 366;
const DAY_MS = 86_400_000;

const TOKEN_PATTERN = /^fym_([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{32})$/;

/** Whether a bearer credential is shaped like a member token (rather than an API key). */
export const looksLikeMemberToken = (presented: string): boolean => presented.startsWith('fym_');

/** Issues a token for `member`; its text is answered once and only its hash is stored. */
export async function issueMemberToken(
  sql: Sql,
  input: { tenant: string; member: string; days: number; by: string; now: number },
): Promise<{ id: string; token: string; expiresAt: string }> {
  const id = randomBytes(9).toString('base64url');
  const secret = randomBytes(24).toString('base64url');
  const expiresAt = new Date(input.now + input.days * DAY_MS).toISOString();
  await sql.query(
    'insert into member_tokens (id, tenant_id, member, secret_hash, created_by, expires_at) values ($1, $2, $3, $4, $5, $6)',
    [id, input.tenant, input.member, hash(secret).toString('hex'), input.by, expiresAt],
  );
  return { id, token: `fym_${id}.${secret}`, expiresAt };
}

interface TokenRow {
  tenant_id: string;
  member: string;
  secret_hash: string;
  expires_at: Date | string;
}

/** Token rows looked up recently (hashes only), as for API keys: no query per request. */
const cache = new Map<string, { row: TokenRow | null; until: number }>();
const CACHE_MS = 10_000;

/** Forgets cached tokens (after a revocation in this process; other instances expire in 10 s). */
export function forgetCachedMemberTokens(): void {
  cache.clear();
}

/** Checks a presented token in constant time; null when unknown, revoked, expired or wrong. */
export async function verifyMemberToken(sql: Sql, presented: string, now = Date.now()): Promise<MemberToken | null> {
  const match = TOKEN_PATTERN.exec(presented);
  if (!match) return null;
  const [, id, secret] = match;
  let cached = cache.get(id!);
  if (!cached || cached.until < now) {
    const rows = (
      await sql.query<TokenRow>(
        'select tenant_id, member, secret_hash, expires_at from member_tokens where id = $1 and revoked_at is null',
        [id],
      )
    ).rows;
    cached = { row: rows[0] ?? null, until: now + CACHE_MS };
    if (cache.size > 10_000) cache.clear();
    cache.set(id!, cached);
  }
  const row = cached.row;
  const equal = sameHash(row?.secret_hash ?? null, hash(secret!));
  if (!row || !equal) return null;
  const expiresAt = new Date(row.expires_at);
  return expiresAt.getTime() > now
    ? { id: id!, tenant: row.tenant_id, member: row.member, expiresAt: expiresAt.toISOString() }
    : null;
}

/** The tokens issued for a member, newest first (never their secrets). */
export async function listMemberTokens(sql: Sql, tenant: string, member: string): Promise<MemberTokenListing[]> {
  const rows = (
    await sql.query<{
      id: string;
      member: string;
      created_by: string;
      created_at: Date | string;
      expires_at: Date | string;
      revoked_at: Date | string | null;
    }>(
      `select id, member, created_by, created_at, expires_at, revoked_at from member_tokens
        where tenant_id = $1 and member = $2 order by created_at desc, id`,
      [tenant, member],
    )
  ).rows;
  const iso = (value: Date | string) => new Date(value).toISOString();
  return rows.map((row) => ({
    id: row.id,
    member: row.member,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
    revokedAt: row.revoked_at === null ? null : iso(row.revoked_at),
  }));
}

/** Revokes a member's active token; false when there is none by that id. */
export async function revokeMemberToken(sql: Sql, tenant: string, member: string, id: string): Promise<boolean> {
  const result = await sql.query<{ id: string }>(
    'update member_tokens set revoked_at = now() where tenant_id = $1 and member = $2 and id = $3 and revoked_at is null returning id',
    [tenant, member, id],
  );
  return result.rows.length > 0;
}
