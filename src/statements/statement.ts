import { fail, InputError } from '../domain/errors.ts';
import type { Role } from '../domain/types.ts';
import type { Service } from '../service/service.ts';
import type { Sql } from '../store/sql.ts';
import { iso, monthWindow } from './calendar.ts';

/**
 * A member's monthly statement (对账单), from the ledger: the balances at the month's start, every
 * posting of the month on the member's accounts grouped by what caused it, and the balances at
 * its end — with the check that opening + movements = closing.
 */

export interface Balances {
  readonly pending: bigint;
  readonly available: bigint;
}

/** What a journal entry on the member's accounts was (journal kinds of the ledger). */
export type Section =
  'award' | 'reversal' | 'settlement' | 'withdrawal' | 'withdrawal_reversal' | 'tax_true_up' | 'manual' | 'other';

export const SECTIONS: readonly Section[] = [
  'award',
  'reversal',
  'settlement',
  'withdrawal',
  'withdrawal_reversal',
  'tax_true_up',
  'manual',
  'other',
];

const SECTION_OF_KIND: Readonly<Record<string, Section>> = {
  award: 'award',
  adjustment: 'reversal',
  settlement: 'settlement',
  withdrawal: 'withdrawal',
  withdrawal_reversal: 'withdrawal_reversal',
  tax_true_up: 'tax_true_up',
  manual: 'manual',
};

export type WithdrawalStatus = 'requested' | 'approved' | 'paid' | 'rejected' | 'failed';

/** One journal entry of the month on the member's accounts. */
export interface StatementLine {
  readonly section: Section;
  /** The ledger's journal kind. */
  readonly kind: string;
  readonly journal: number;
  readonly at: number;
  /** Effect on the member's balances. */
  readonly pending: bigint;
  readonly available: bigint;
  readonly rule: string | null;
  readonly order: string | null;
  readonly period: string | null;
  readonly refund: string | null;
  readonly withdrawal: string | null;
  readonly adjustment: string | null;
  /** Withdrawals and their reversals: gross, tax withheld (or given back) and net, from the journal. */
  readonly gross: bigint | null;
  readonly tax: bigint | null;
  readonly net: bigint | null;
  /** Withdrawals: their status at the month's end, and now; reversals: rejected or failed. */
  readonly status: WithdrawalStatus | null;
  readonly statusNow: WithdrawalStatus | null;
  readonly taxMonth: string | null;
  /** The operator's note of a rejection or failure, or the reason of a manual adjustment. */
  readonly note: string | null;
  readonly by: string | null;
  /** Awards and refund adjustments: the explanation endpoint of the award. */
  readonly explain: string | null;
}

export interface Statement {
  readonly tenant: { readonly id: string; readonly name: string };
  readonly member: { readonly id: string; readonly role: Role; readonly level: number | null };
  readonly month: string;
  readonly timezone: string;
  readonly currency: string;
  readonly decimals: number;
  readonly from: number;
  readonly to: number;
  readonly opening: Balances;
  /** In time order (then journal order). */
  readonly lines: readonly StatementLine[];
  /** Sum of the lines' effects per section (every section, zeros included). */
  readonly movements: ReadonlyMap<Section, Balances>;
  /** The ledger's balances at the month's end (sum of postings before it). */
  readonly closing: Balances;
  readonly check: {
    readonly ok: boolean;
    /** opening + movements */
    readonly expected: Balances;
    /** The balances read model less the postings after the month: null when no balances row. */
    readonly readModel: Balances | null;
  };
}

/** The explanation endpoint of an award, relative to the API's origin. */
export function explainLink(member: string, subject: { order?: string | null; period?: string | null }, rule: string): string {
  const query = new URLSearchParams({
    member,
    ...(subject.order ? { order: subject.order } : { period: subject.period ?? '' }),
    rule,
  });
  return `/v1/awards/explain?${query.toString()}`;
}

interface PostingRow {
  journal: string;
  at_ms: string;
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

interface WithdrawalRow {
  id: string;
  status: WithdrawalStatus;
  month: string;
  history: { status: WithdrawalStatus; at: string; note?: string }[];
}

const add = (a: Balances, b: Balances): Balances => ({ pending: a.pending + b.pending, available: a.available + b.available });
const ZERO: Balances = { pending: 0n, available: 0n };

/** Builds the statement of `member` for `month` (YYYY-MM in the tenant zone). */
export async function buildStatement(service: Service, tenant: string, member: string, month: string): Promise<Statement> {
  const context = await service.read(tenant, (runtime) => {
    const found = runtime.engine.state.network.get(member);
    return {
      settings: runtime.engine.settings,
      member: found ? { id: found.id, role: found.role, level: found.isDistributor ? found.level : null } : null,
    };
  });
  const found = context.member;
  if (!found) throw new InputError(fail('unknown_member', `member ${member} is not in the network`, ['member']));
  const { timezone, currency, decimals } = context.settings;
  const window = monthWindow(month, timezone);
  // One snapshot for every query, so that a posting committed meanwhile cannot unbalance the check.
  return service.sql.transaction(async (tx) => {
    await tx.query('set transaction isolation level repeatable read, read only');
    const name = (await tx.query<{ name: string }>('select name from tenants where id = $1', [tenant])).rows[0]?.name ?? tenant;
    const params = [tenant, member, iso(window.from), iso(window.to)];
    const opening = await sumBefore(tx, tenant, member, window.from);
    const closing = await sumBefore(tx, tenant, member, window.to);
    const postings = (
      await tx.query<PostingRow>(
        `select journal::text as journal, (extract(epoch from at) * 1000)::bigint::text as at_ms, kind, account, member, amount::text as amount,
                order_id, period, rule, refund_id, withdrawal_id, adjustment_id
           from postings
          where tenant_id = $1
            and journal in (select journal from postings where tenant_id = $1 and member = $2 and at >= $3 and at < $4)
          order by journal, line`,
        params,
      )
    ).rows;
    const readModel = await readModelAt(tx, tenant, member, window.to);
    const { withdrawals, adjustments } = await referencesOf(tx, tenant, postings);
    const lines = toLines(postings, member, window.to, withdrawals, adjustments);
    const movements = new Map<Section, Balances>(SECTIONS.map((section) => [section, ZERO]));
    for (const line of lines) movements.set(line.section, add(movements.get(line.section)!, line));
    const expected = [...movements.values()].reduce(add, opening);
    const ok =
      expected.pending === closing.pending &&
      expected.available === closing.available &&
      (readModel === null || (readModel.pending === closing.pending && readModel.available === closing.available));
    return {
      tenant: { id: tenant, name },
      member: found,
      month,
      timezone,
      currency,
      decimals,
      from: window.from,
      to: window.to,
      opening,
      lines,
      movements,
      closing,
      check: { ok, expected, readModel },
    };
  });
}

/** The withdrawals (status, history) and manual adjustments (reason) the postings refer to. */
async function referencesOf(tx: Sql, tenant: string, postings: readonly PostingRow[]) {
  const ids = (field: 'withdrawal_id' | 'adjustment_id') => [
    ...new Set(postings.map((p) => p[field]).filter((id): id is string => id !== null)),
  ];
  const withdrawals = (
    await tx.query<WithdrawalRow>(
      'select id, status, month, history from withdrawals where tenant_id = $1 and id = any($2::text[])',
      [tenant, ids('withdrawal_id')],
    )
  ).rows;
  const adjustments = (
    await tx.query<{ id: string; reason: string; by_key: string | null }>(
      'select id, reason, by_key from adjustments where tenant_id = $1 and id = any($2::text[])',
      [tenant, ids('adjustment_id')],
    )
  ).rows;
  return {
    withdrawals: new Map(withdrawals.map((row) => [row.id, row])),
    adjustments: new Map(adjustments.map((row) => [row.id, row])),
  };
}

/** The member's balances from its postings before `at`. */
async function sumBefore(tx: Sql, tenant: string, member: string, at: number): Promise<Balances> {
  const rows = (
    await tx.query<{ account: string; total: string }>(
      'select account, sum(amount)::text as total from postings where tenant_id = $1 and member = $2 and at < $3 group by account',
      [tenant, member, iso(at)],
    )
  ).rows;
  return balancesOf(rows);
}

/** The balances read model less the postings at or after `at`: the read model's view of `at`. */
async function readModelAt(tx: Sql, tenant: string, member: string, at: number): Promise<Balances | null> {
  const row = (
    await tx.query<{ pending: string; available: string }>(
      'select pending::text as pending, available::text as available from balances where tenant_id = $1 and member = $2',
      [tenant, member],
    )
  ).rows[0];
  if (!row) return null;
  const later = balancesOf(
    (
      await tx.query<{ account: string; total: string }>(
        'select account, sum(amount)::text as total from postings where tenant_id = $1 and member = $2 and at >= $3 group by account',
        [tenant, member, iso(at)],
      )
    ).rows,
  );
  return { pending: BigInt(row.pending) - later.pending, available: BigInt(row.available) - later.available };
}

function balancesOf(rows: readonly { account: string; total: string }[]): Balances {
  let pending = 0n;
  let available = 0n;
  for (const row of rows) {
    if (row.account === 'pending') pending += BigInt(row.total);
    else available += BigInt(row.total);
  }
  return { pending, available };
}

/** The journals of the month as statement lines (postings come ordered by journal, then line). */
function toLines(
  postings: readonly PostingRow[],
  member: string,
  monthEnd: number,
  withdrawals: ReadonlyMap<string, WithdrawalRow>,
  adjustments: ReadonlyMap<string, { reason: string; by_key: string | null }>,
): StatementLine[] {
  const journals = new Map<string, PostingRow[]>();
  for (const posting of postings) {
    const list = journals.get(posting.journal);
    if (list) list.push(posting);
    else journals.set(posting.journal, [posting]);
  }
  const lines: StatementLine[] = [];
  for (const [journal, rows] of journals) {
    const first = rows[0]!;
    const mine = rows.filter((row) => row.member === member);
    const sum = (account: string, only: readonly PostingRow[] = rows) =>
      only.filter((row) => row.account === account).reduce((total, row) => total + BigInt(row.amount), 0n);
    const pending = sum('pending', mine);
    // Every member account other than pending counts as available (as the balances read model does).
    const available = mine.filter((row) => row.account !== 'pending').reduce((total, row) => total + BigInt(row.amount), 0n);
    const section = SECTION_OF_KIND[first.kind] ?? 'other';
    const at = Number(first.at_ms);
    const withdrawal = first.withdrawal_id ? withdrawals.get(first.withdrawal_id) : undefined;
    const adjustment = first.adjustment_id ? adjustments.get(first.adjustment_id) : undefined;
    const isWithdrawal = section === 'withdrawal' || section === 'withdrawal_reversal';
    const transition = section === 'withdrawal_reversal' && withdrawal ? transitionAt(withdrawal, at) : null;
    lines.push({
      section,
      kind: first.kind,
      journal: Number(journal),
      at,
      pending,
      available,
      rule: first.rule,
      order: first.order_id,
      period: first.period,
      refund: first.refund_id,
      withdrawal: first.withdrawal_id,
      adjustment: first.adjustment_id,
      gross: isWithdrawal ? -available : null,
      tax: isWithdrawal ? sum('tax_payable') : null,
      net: isWithdrawal ? sum('payout') : null,
      status:
        !withdrawal || !isWithdrawal
          ? null
          : section === 'withdrawal'
            ? statusAt(withdrawal, monthEnd)
            : (transition?.status ?? withdrawal.status),
      statusNow: withdrawal && section === 'withdrawal' ? withdrawal.status : null,
      taxMonth: withdrawal?.month ?? null,
      note: adjustment?.reason ?? transition?.note ?? null,
      by: adjustment?.by_key ?? null,
      explain:
        (section === 'award' || section === 'reversal') && first.rule
          ? explainLink(member, { order: first.order_id, period: first.period }, first.rule)
          : null,
    });
  }
  return lines.sort((a, b) => a.at - b.at || a.journal - b.journal);
}

/** A withdrawal's status just before `end` (its history is in time order). */
function statusAt(withdrawal: WithdrawalRow, end: number): WithdrawalStatus {
  let status: WithdrawalStatus = withdrawal.history[0]?.status ?? withdrawal.status;
  for (const entry of withdrawal.history) if (Date.parse(entry.at) < end) status = entry.status;
  return status;
}

/** The rejection or failure recorded at `at`, with its note. */
function transitionAt(withdrawal: WithdrawalRow, at: number): { status: WithdrawalStatus; note: string | null } | null {
  const entry = [...withdrawal.history]
    .reverse()
    .find((h) => Date.parse(h.at) === at && (h.status === 'rejected' || h.status === 'failed'));
  return entry ? { status: entry.status, note: entry.note ?? null } : null;
}
