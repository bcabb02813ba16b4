import { formatMoney } from '../money/money.ts';
import { summarize } from '../scenario/run.ts';
import { loadRuntime } from './runtime.ts';
import type { Service } from './service.ts';

export interface VerifyReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

/**
 * The invariant checker behind `GET /v1/verify` and `fenyong verify`: every journal balances,
 * the balances table equals the sum of postings, and a clean replay of the event log gives the
 * same awards and balances as the database holds.
 */
export async function verifyTenant(service: Service, tenant: string): Promise<VerifyReport> {
  const sql = service.sql;
  const checks: VerifyReport['checks'] = [];
  const unbalanced = (await sql.query<{ journal: string }>(
    'select journal::text as journal from postings where tenant_id = $1 group by journal having sum(amount) <> 0 limit 5', [tenant],
  )).rows;
  checks.push({ name: 'journals balance', ok: unbalanced.length === 0, detail: unbalanced.length === 0 ? 'every journal sums to zero' : `unbalanced journals: ${unbalanced.map((r) => r.journal).join(', ')}` });

  const drift = (await sql.query<{ member: string }>(
    `select coalesce(b.member, p.member) as member from balances b
       full join (select member, sum(amount) filter (where account = 'pending') as pending, sum(amount) filter (where account = 'available') as available
                    from postings where tenant_id = $1 and member is not null group by member) p
         on p.member = b.member and b.tenant_id = $1
      where (b.tenant_id = $1 or b.tenant_id is null)
        and (coalesce(b.pending, 0) <> coalesce(p.pending, 0) or coalesce(b.available, 0) <> coalesce(p.available, 0)) limit 5`,
    [tenant],
  )).rows;
  checks.push({ name: 'balances equal postings', ok: drift.length === 0, detail: drift.length === 0 ? 'the balances table is the sum of postings' : `members differing: ${drift.map((r) => r.member).join(', ')}` });

  const replay = await loadRuntime(sql, tenant);
  if (!replay) return { ok: false, checks: [...checks, { name: 'tenant', ok: false, detail: 'no such tenant' }] };
  const expected = summarize(replay.engine);
  const decimals = replay.engine.settings.decimals;
  const stored = (await sql.query<{ member: string; pending: string; available: string }>(
    'select member, pending::text as pending, available::text as available from balances where tenant_id = $1', [tenant],
  )).rows;
  const storedMap = new Map(stored.map((r) => [r.member, `${formatMoney(BigInt(r.pending), decimals)}/${formatMoney(BigInt(r.available), decimals)}`]));
  const differing = Object.entries(expected.balances).filter(([member, b]) => storedMap.get(member) !== `${b.pending}/${b.available}`);
  checks.push({ name: 'balances equal a clean replay', ok: differing.length === 0, detail: differing.length === 0 ? `${Object.keys(expected.balances).length} members agree` : `differing: ${differing.slice(0, 5).map(([m]) => m).join(', ')}` });

  const awards = (await sql.query<{ member: string; order_id: string | null; period: string | null; rule: string; amount: string; status: string }>(
    'select member, order_id, period, rule, amount::text as amount, status from awards where tenant_id = $1 and amount <> 0', [tenant],
  )).rows;
  const storedAwards = new Set(awards.map((a) => `${a.member}|${a.order_id ?? ''}|${a.period ?? ''}|${a.rule}|${formatMoney(BigInt(a.amount), decimals)}|${a.status}`));
  const replayAwards = expected.awards.map((a) => `${a.to}|${a.order ?? ''}|${a.period ?? ''}|${a.rule}|${a.amount}|${a.status}`);
  const missing = replayAwards.filter((a) => !storedAwards.has(a));
  const sameCount = replayAwards.length === storedAwards.size;
  checks.push({ name: 'awards equal a clean replay', ok: missing.length === 0 && sameCount, detail: missing.length === 0 && sameCount ? `${replayAwards.length} awards agree` : `${missing.length} differ, stored ${storedAwards.size} vs replay ${replayAwards.length}` });
  return { ok: checks.every((c) => c.ok), checks };
}
