import { fail, InputError } from '../domain/errors.ts';
import type { Sql } from '../store/sql.ts';
import { accountDigest, payeeKey, sameAccount } from './account-digest.ts';
import { checkAccount, maskAccount } from './account-text.ts';
import { writeAudit } from './audit.ts';

export { checkAccount, maskAccount, normaliseAccount } from './account-text.ts';

/**
 * Payee details: who a member is paid to. The full account (bank card, or wallet id such as a
 * phone number or e-mail) is used only here, in memory: what is stored is the real name, the
 * account masked (6222********1234) and a keyed digest of the normalised account
 * (account-digest.ts), to recognise the same account again (e.g. in a payer's result file). The
 * full account is never stored, logged, audited or answered.
 */
export interface Payee {
  readonly member: string;
  readonly realName: string;
  readonly account: string;
  readonly updatedAt: string;
}

/** Sets (or replaces) a member's payee details, with its audit entry, in one transaction. */
export async function setPayee(
  sql: Sql,
  tenant: string,
  member: string,
  input: { realName: string; account: string },
  actor: string,
): Promise<Payee> {
  const realName = input.realName.trim();
  if (realName.length === 0 || realName.length > 100)
    throw new InputError(fail('invalid', 'realName must be 1 to 100 characters', ['realName']));
  const normal = checkAccount(input.account);
  const masked = maskAccount(normal);
  const key = await payeeKey(sql);
  const digest = accountDigest(normal, key);
  return sql.transaction(async (tx) => {
    const before = (
      await tx.query<{ account_digest: string; real_name: string }>(
        'select account_digest, real_name from payees where tenant_id = $1 and member = $2',
        [tenant, member],
      )
    ).rows[0];
    const row = (
      await tx.query<{ updated_at: Date | string }>(
        `insert into payees (tenant_id, member, real_name, account_masked, account_digest, updated_by) values ($1, $2, $3, $4, $5, $6)
       on conflict (tenant_id, member) do update set real_name = excluded.real_name, account_masked = excluded.account_masked,
         account_digest = excluded.account_digest, updated_by = excluded.updated_by, updated_at = now()
       returning updated_at`,
        [tenant, member, realName, masked, digest, actor],
      )
    ).rows[0]!;
    await writeAudit(tx, tenant, [
      {
        actor,
        action: 'payee.set',
        target: member,
        details: {
          account: masked,
          accountChanged: before ? !sameAccount(before.account_digest, normal, key) : true,
          nameChanged: before ? before.real_name !== realName : true,
        },
      },
    ]);
    return { member, realName, account: masked, updatedAt: new Date(row.updated_at).toISOString() };
  });
}

export async function getPayee(sql: Sql, tenant: string, member: string): Promise<Payee | null> {
  const row = (
    await sql.query<{ real_name: string; account_masked: string; updated_at: Date | string }>(
      'select real_name, account_masked, updated_at from payees where tenant_id = $1 and member = $2',
      [tenant, member],
    )
  ).rows[0];
  return row
    ? { member, realName: row.real_name, account: row.account_masked, updatedAt: new Date(row.updated_at).toISOString() }
    : null;
}
