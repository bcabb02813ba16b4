import { createHash } from 'node:crypto';
import { fail, InputError } from '../domain/errors.ts';
import type { Sql } from '../store/sql.ts';
import { writeAudit } from './audit.ts';

/**
 * Payee details: who a member is paid to. The full account (bank card, or wallet id such as a
 * phone number or e-mail) is used only here, in memory: what is stored is the real name, the
 * account masked (6222********1234) and the sha256 of the normalised account, to recognise the
 * same account again (e.g. in a payer's result file). The full account is never stored, logged,
 * audited or answered.
 */
export interface Payee {
  readonly member: string;
  readonly realName: string;
  readonly account: string;
  readonly updatedAt: string;
}

/** The account as compared: whitespace removed; bank numbers without separators; e-mails lower case. */
export function normaliseAccount(account: string): string {
  const compact = account.replace(/\s+/g, '');
  return compact.includes('@') ? compact.toLowerCase() : compact.replace(/-/g, '');
}

/** A valid account after normalising: 4 to 64 characters of letters, digits and . _ + @ - */
export function checkAccount(account: string): string {
  const normal = normaliseAccount(account);
  if (!/^[A-Za-z0-9._+@-]{4,64}$/.test(normal) || normal.includes('*')) {
    // Never echo the account back: the message names the rule only.
    throw new InputError(fail('invalid', 'account must be 4 to 64 letters, digits or . _ + @ - (a bank card, or a wallet phone number or e-mail)', ['account']));
  }
  return normal;
}

/**
 * Masks an account, keeping at each end a quarter of it (at most 4 characters): 16 digits give
 * 6222********1234; an e-mail keeps its domain and masks its local part the same way.
 */
export function maskAccount(account: string): string {
  const normal = normaliseAccount(account);
  const at = normal.lastIndexOf('@');
  if (at > 0) return `${maskPart(normal.slice(0, at))}${normal.slice(at)}`;
  return maskPart(normal);
}

function maskPart(text: string): string {
  const keep = Math.min(4, Math.floor(text.length / 4));
  return `${text.slice(0, keep)}${'*'.repeat(text.length - 2 * keep)}${keep > 0 ? text.slice(-keep) : ''}`;
}

/** sha256 (hex) of the normalised account. */
export function accountHash(account: string): string {
  return createHash('sha256').update(normaliseAccount(account), 'utf8').digest('hex');
}

/** Sets (or replaces) a member's payee details, with its audit entry, in one transaction. */
export async function setPayee(sql: Sql, tenant: string, member: string, input: { realName: string; account: string }, actor: string): Promise<Payee> {
  const realName = input.realName.trim();
  if (realName.length === 0 || realName.length > 100) throw new InputError(fail('invalid', 'realName must be 1 to 100 characters', ['realName']));
  const normal = checkAccount(input.account);
  const masked = maskAccount(normal);
  const hash = accountHash(normal);
  return sql.transaction(async (tx) => {
    const before = (await tx.query<{ account_sha256: string; real_name: string }>(
      'select account_sha256, real_name from payees where tenant_id = $1 and member = $2', [tenant, member],
    )).rows[0];
    const row = (await tx.query<{ updated_at: Date | string }>(
      `insert into payees (tenant_id, member, real_name, account_masked, account_sha256, updated_by) values ($1, $2, $3, $4, $5, $6)
       on conflict (tenant_id, member) do update set real_name = excluded.real_name, account_masked = excluded.account_masked,
         account_sha256 = excluded.account_sha256, updated_by = excluded.updated_by, updated_at = now()
       returning updated_at`,
      [tenant, member, realName, masked, hash, actor],
    )).rows[0]!;
    await writeAudit(tx, tenant, [{
      actor, action: 'payee.set', target: member,
      details: { account: masked, accountChanged: before ? before.account_sha256 !== hash : true, nameChanged: before ? before.real_name !== realName : true },
    }]);
    return { member, realName, account: masked, updatedAt: new Date(row.updated_at).toISOString() };
  });
}

export async function getPayee(sql: Sql, tenant: string, member: string): Promise<Payee | null> {
  const row = (await sql.query<{ real_name: string; account_masked: string; updated_at: Date | string }>(
    'select real_name, account_masked, updated_at from payees where tenant_id = $1 and member = $2', [tenant, member],
  )).rows[0];
  return row ? { member, realName: row.real_name, account: row.account_masked, updatedAt: new Date(row.updated_at).toISOString() } : null;
}
