import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../store/sql.ts';
import { normaliseAccount } from './account-text.ts';

/**
 * A payee account is recognised again (e.g. in a payer's result file) by a keyed digest,
 * "hmac-sha256:<hex>": a plain hash of a bank card number is reversed by trying every number
 * behind the bank's prefix. Rows written before keyed digests hold "sha256:<hex>" and still compare.
 */
export type AccountDigest = string;

const KEY_NAME = 'payee-account-key';
const keys = new WeakMap<Sql, Promise<Buffer>>();

/**
 * The digest key: FENYONG_SECRET when set (recommended: it stays out of the database and its
 * backups), else this installation's random key, created once in installation_secrets.
 */
export function payeeKey(sql: Sql): Promise<Buffer> {
  const configured = process.env.FENYONG_SECRET;
  if (configured) return Promise.resolve(createHash('sha256').update(`fenyong payee account\0${configured}`).digest());
  let key = keys.get(sql);
  if (!key) {
    key = storedKey(sql);
    key.catch(() => keys.delete(sql));
    keys.set(sql, key);
  }
  return key;
}

async function storedKey(sql: Sql): Promise<Buffer> {
  await sql.query('insert into installation_secrets (name, value) values ($1, $2) on conflict (name) do nothing', [
    KEY_NAME,
    randomBytes(32).toString('base64'),
  ]);
  const row = (await sql.query<{ value: string }>('select value from installation_secrets where name = $1', [KEY_NAME])).rows[0];
  if (!row) throw new Error('installation_secrets lost the payee account key');
  return Buffer.from(row.value, 'base64');
}

export function accountDigest(account: string, key: Buffer): AccountDigest {
  return `hmac-sha256:${createHmac('sha256', key).update(normaliseAccount(account), 'utf8').digest('hex')}`;
}

/** Whether an account is the one a stored digest was made from (constant time in the digest). */
export function sameAccount(stored: AccountDigest, account: string, key: Buffer): boolean {
  const fresh = stored.startsWith('sha256:')
    ? `sha256:${createHash('sha256').update(normaliseAccount(account), 'utf8').digest('hex')}`
    : accountDigest(account, key);
  const a = Buffer.from(stored);
  const b = Buffer.from(fresh);
  return a.length === b.length && timingSafeEqual(a, b);
}
