import { createHash } from 'node:crypto';
import type { Outcome } from '../engine/apply.ts';
import type { Posting } from '../engine/ledger.ts';
import { formatMoney } from '../money/money.ts';
import { summarize } from '../scenario/run.ts';
import type { Sql } from '../store/sql.ts';
import { loadRuntime } from './runtime.ts';
import type { Service } from './service.ts';

export interface VerifyReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

type Check = VerifyReport['checks'][number];

/** Stored postings read per query while they are compared (keyset pages). */
const POSTINGS_PAGE = 20_000;

/**
 * The invariant checker behind `GET /v1/verify` and `fenyong verify`. From the ledger: every
 * journal balances and the balances table is the sum of the postings. From the events: the log is
 * gapless up to the tenant's position, and a clean replay of it gives, event by event, the very
 * postings stored (so nothing was applied twice or lost between the log and the ledger), and the
 * same awards, balances and withdrawals as the database holds.
 */
export async function verifyTenant(service: Service, tenant: string): Promise<VerifyReport> {
  const sql = service.sql;
  const checks: Check[] = [
    await journalsBalance(sql, tenant),
    await balancesEqualPostings(sql, tenant),
    await logIsGapless(sql, tenant),
  ];
  const replayed = new Map<number, bigint>();
  let replay: Awaited<ReturnType<typeof loadRuntime>>;
  try {
    replay = await loadRuntime(sql, tenant, (seq, outcome) => addPostings(replayed, seq, outcome));
  } catch (error) {
    // A log the engine refuses to replay (an entry lost or altered): reported, not thrown.
    return {
      ok: false,
      checks: [...checks, { name: 'the log replays', ok: false, detail: String((error as Error).message ?? error) }],
    };
  }
  if (!replay) return { ok: false, checks: [...checks, { name: 'tenant', ok: false, detail: 'no such tenant' }] };
  checks.push(await postingsEqualReplay(sql, tenant, replayed));
  const engine = replay.engine;
  const money = (amount: string | bigint) => formatMoney(BigInt(amount), engine.settings.decimals);
  const expected = summarize(engine);
  checks.push(await balancesEqualReplay(sql, tenant, expected.balances, money));
  checks.push(await awardsEqualReplay(sql, tenant, expected.awards, money));
  const withdrawals = (
    await sql.query<{ id: string; member: string; amount: string; tax: string; net: string; status: string }>(
      'select id, member, amount::text as amount, tax::text as tax, net::text as net, status from withdrawals where tenant_id = $1',
      [tenant],
    )
  ).rows;
  const line = (w: {
    id: string;
    member: string;
    amount: string | bigint;
    tax: string | bigint;
    net: string | bigint;
    status: string;
  }) => `${w.id}|${w.member}|${money(w.amount)}|${money(w.tax)}|${money(w.net)}|${w.status}`;
  checks.push(
    sameLines(
      'withdrawals equal a clean replay',
      'withdrawals',
      withdrawals.map(line),
      [...engine.state.withdrawals.values()].map(line),
    ),
  );
  return { ok: checks.every((c) => c.ok), checks };
}

type Money = (amount: string | bigint) => string;
type Summary = ReturnType<typeof summarize>;

async function balancesEqualReplay(sql: Sql, tenant: string, expected: Summary['balances'], money: Money): Promise<Check> {
  const stored = (
    await sql.query<{ member: string; pending: string; available: string }>(
      'select member, pending::text as pending, available::text as available from balances where tenant_id = $1',
      [tenant],
    )
  ).rows;
  const storedMap = new Map(stored.map((r) => [r.member, `${money(r.pending)}/${money(r.available)}`]));
  const differing = Object.entries(expected).filter(([member, b]) => storedMap.get(member) !== `${b.pending}/${b.available}`);
  const extra = stored.filter((r) => !(r.member in expected) && (BigInt(r.pending) !== 0n || BigInt(r.available) !== 0n));
  const ok = differing.length === 0 && extra.length === 0;
  return {
    name: 'balances equal a clean replay',
    ok,
    detail: ok
      ? `${Object.keys(expected).length} members agree`
      : `differing: ${[...differing.map(([m]) => m), ...extra.map((r) => r.member)].slice(0, 5).join(', ')}`,
  };
}

async function awardsEqualReplay(sql: Sql, tenant: string, expected: Summary['awards'], money: Money): Promise<Check> {
  const awards = (
    await sql.query<{
      member: string;
      order_id: string | null;
      period: string | null;
      rule: string;
      amount: string;
      status: string;
    }>('select member, order_id, period, rule, amount::text as amount, status from awards where tenant_id = $1 and amount <> 0', [
      tenant,
    ])
  ).rows;
  const stored = awards.map((a) => `${a.member}|${a.order_id ?? ''}|${a.period ?? ''}|${a.rule}|${money(a.amount)}|${a.status}`);
  const replayed = expected.map((a) => `${a.to}|${a.order ?? ''}|${a.period ?? ''}|${a.rule}|${a.amount}|${a.status}`);
  return sameLines('awards equal a clean replay', 'awards', stored, replayed);
}

async function journalsBalance(sql: Sql, tenant: string): Promise<Check> {
  const unbalanced = (
    await sql.query<{ journal: string }>(
      'select journal::text as journal from postings where tenant_id = $1 group by journal having sum(amount) <> 0 limit 5',
      [tenant],
    )
  ).rows;
  return {
    name: 'journals balance',
    ok: unbalanced.length === 0,
    detail:
      unbalanced.length === 0
        ? 'every journal sums to zero'
        : `unbalanced journals: ${unbalanced.map((r) => r.journal).join(', ')}`,
  };
}

async function balancesEqualPostings(sql: Sql, tenant: string): Promise<Check> {
  const drift = (
    await sql.query<{ member: string }>(
      `select coalesce(b.member, p.member) as member from (select * from balances where tenant_id = $1) b
       full join (select member, coalesce(sum(amount) filter (where account = 'pending'), 0) as pending,
                         coalesce(sum(amount) filter (where account = 'available'), 0) as available
                    from postings where tenant_id = $1 and member is not null group by member) p
         on p.member = b.member
      where coalesce(b.pending, 0) <> coalesce(p.pending, 0) or coalesce(b.available, 0) <> coalesce(p.available, 0) limit 5`,
      [tenant],
    )
  ).rows;
  return {
    name: 'balances equal postings',
    ok: drift.length === 0,
    detail:
      drift.length === 0
        ? 'the balances table is the sum of postings'
        : `members differing: ${drift.map((r) => r.member).join(', ')}`,
  };
}

/** The log holds seq 1..n, each once, and the tenant's recorded position is n. */
async function logIsGapless(sql: Sql, tenant: string): Promise<Check> {
  const row = (
    await sql.query<{ n: string; first: string | null; last: string | null; position: string | null }>(
      `select count(*)::text as n, min(seq)::text as first, max(seq)::text as last,
            (select last_seq::text from tenants where id = $1) as position
       from events where tenant_id = $1`,
      [tenant],
    )
  ).rows[0]!;
  const n = Number(row.n);
  const ok = Number(row.last ?? 0) === n && (n === 0 || Number(row.first) === 1) && Number(row.position ?? 0) === n;
  return {
    name: 'the log is gapless',
    ok,
    detail: ok
      ? `${n} entries, 1..${n}, and the tenant's position is ${n}`
      : `${n} entries from ${row.first} to ${row.last}, tenant position ${row.position}`,
  };
}

/**
 * The stored postings, entry by entry of the log, against those a clean replay made: compared as
 * a per-entry multiset digest (the sum of the postings' hashes), so memory stays small. Stored
 * postings are read in primary-key order (the digest does not depend on the order).
 */
async function postingsEqualReplay(sql: Sql, tenant: string, replayed: Map<number, bigint>): Promise<Check> {
  const stored = new Map<number, bigint>();
  let count = 0;
  let after = { journal: -1, line: -1 };
  for (;;) {
    const page = (
      await sql.query<StoredPosting>(
        `select event_seq::text as seq, journal::text as journal, line::text as line, (extract(epoch from at) * 1000)::bigint::text as at, kind, account, member,
              amount::text as amount, order_id, period, rule, refund_id, withdrawal_id, adjustment_id
         from postings where tenant_id = $1 and (journal, line) > ($2::bigint, $3::smallint)
        order by postings.journal, postings.line limit $4`,
        [tenant, after.journal, after.line, POSTINGS_PAGE],
      )
    ).rows;
    for (const row of page) {
      const seq = Number(row.seq);
      const key = postingKey(row.journal, row.at, row.kind, row.account, row.member, row.amount, [
        row.order_id,
        row.period,
        row.rule,
        row.refund_id,
        row.withdrawal_id,
        row.adjustment_id,
      ]);
      stored.set(seq, ((stored.get(seq) ?? 0n) + hash(key)) & MASK);
    }
    count += page.length;
    if (page.length < POSTINGS_PAGE) break;
    const last = page[page.length - 1]!;
    after = { journal: Number(last.journal), line: Number(last.line) };
  }
  const differing = [...new Set([...stored.keys(), ...replayed.keys()])]
    .filter((seq) => stored.get(seq) !== replayed.get(seq))
    .sort((a, b) => a - b);
  return {
    name: 'postings equal a clean replay',
    ok: differing.length === 0,
    detail:
      differing.length === 0
        ? `${count} postings of ${replayed.size} posting log entries agree`
        : `${differing.length} log entries whose postings differ, e.g. seq ${differing.slice(0, 5).join(', ')}`,
  };
}

interface StoredPosting {
  seq: string;
  journal: string;
  line: string;
  at: string;
  kind: string;
  account: string;
  member: string | null;
  amount: string;
  order_id: string | null;
  period: string | null;
  rule: string | null;
  refund_id: string | null;
  withdrawal_id: string | null;
  adjustment_id: string | null;
}

const MASK = (1n << 64n) - 1n;

function addPostings(digests: Map<number, bigint>, seq: number, outcome: Outcome | null): void {
  for (const posting of outcome?.postings ?? []) {
    const key = replayedKey(posting);
    digests.set(seq, ((digests.get(seq) ?? 0n) + hash(key)) & MASK);
  }
}

function replayedKey(p: Posting): string {
  const ref = p.ref;
  return postingKey(String(p.journal), String(p.at), p.kind, p.account, p.member, String(p.amount), [
    ref.order ?? null,
    ref.period ?? null,
    ref.rule ?? null,
    ref.refund ?? null,
    ref.withdrawal ?? null,
    ref.adjustment ?? null,
  ]);
}

function postingKey(
  journal: string,
  at: string,
  kind: string,
  account: string,
  member: string | null,
  amount: string,
  refs: readonly (string | null)[],
): string {
  return JSON.stringify([journal, at, kind, account, member, amount, ...refs]);
}

function hash(text: string): bigint {
  return createHash('sha256').update(text).digest().readBigUInt64BE(0);
}

/** Two lists equal as multisets: a check naming how many lines each side lacks. */
function sameLines(name: string, what: string, stored: readonly string[], replayed: readonly string[]): Check {
  const counts = new Map<string, number>();
  for (const line of stored) counts.set(line, (counts.get(line) ?? 0) + 1);
  for (const line of replayed) counts.set(line, (counts.get(line) ?? 0) - 1);
  const onlyStored = [...counts].filter(([, n]) => n > 0);
  const onlyReplayed = [...counts].filter(([, n]) => n < 0);
  const ok = onlyStored.length === 0 && onlyReplayed.length === 0;
  return {
    name,
    ok,
    detail: ok
      ? `${replayed.length} ${what} agree`
      : `${onlyStored.length} stored ${what} not in the replay, ${onlyReplayed.length} replayed ${what} not stored (stored ${stored.length} vs replay ${replayed.length}), e.g. ${[
          ...onlyStored,
          ...onlyReplayed,
        ]
          .slice(0, 3)
          .map(([line]) => line)
          .join('; ')}`,
  };
}
