import type { Sql } from '../../../src/store/sql.ts';

/**
 * A digest of everything the database holds: per table (found in the catalog, so new tables are
 * covered) the row count and an md5 of its rows, in one round trip. Two equal digests mean no
 * row was written, changed or removed anywhere in between.
 */
export interface StateDigest {
  readonly tables: Readonly<Record<string, string>>;
}

/** The digest entry of applied events (time passing excluded). */
export const APPLIED_EVENTS = 'events (applied)';

/** A function answering the current digest of the schema `sql` reaches. */
export async function stateDigester(
  sql: Sql,
  options: { exclude?: readonly string[] } = {},
): Promise<() => Promise<StateDigest>> {
  const tables = (
    await sql.query<{ name: string }>(
      `select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
    )
  ).rows
    .map((row) => row.name)
    .filter((name) => !(options.exclude ?? []).includes(name));
  // Identifiers come from the catalog (quoted), never from a request.
  const parts = tables.map(
    (name) =>
      `select '${name}' as name, count(*)::text || ' ' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from "${name}" t`,
  );
  // Events a request applied, apart from entries of time passing (source "<source>:time"), which a
  // refused event may still log (README: "a rejected event still lets time pass").
  parts.push(
    `select '${APPLIED_EVENTS}' as name, count(*)::text || ' ' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from events t where source not like '%:time'`,
  );
  const text = parts.join(' union all ');
  return async () => {
    const rows = (await sql.query<{ name: string; digest: string }>(text)).rows;
    return { tables: Object.fromEntries(rows.map((row) => [row.name, row.digest])) };
  };
}

/** The tables whose digests differ (empty when nothing changed). */
export function changedTables(before: StateDigest, after: StateDigest): string[] {
  const names = new Set([...Object.keys(before.tables), ...Object.keys(after.tables)]);
  return [...names].filter((name) => before.tables[name] !== after.tables[name]).sort();
}

/** Ledger totals of a tenant: what "nothing changed" means for money. */
export async function ledgerTotals(sql: Sql, tenant: string): Promise<Record<string, string>> {
  const row = (
    await sql.query<Record<string, string>>(
      `select (select count(*) from events where tenant_id = $1)::text as events,
              (select count(*) from postings where tenant_id = $1)::text as postings,
              (select coalesce(sum(amount), 0) from postings where tenant_id = $1 and amount > 0)::text as debits,
              (select count(*) from awards where tenant_id = $1)::text as awards,
              (select coalesce(sum(amount), 0) from awards where tenant_id = $1)::text as awarded,
              (select coalesce(sum(pending), 0) from balances where tenant_id = $1)::text as pending,
              (select coalesce(sum(available), 0) from balances where tenant_id = $1)::text as available,
              (select count(*) from withdrawals where tenant_id = $1)::text as withdrawals`,
      [tenant],
    )
  ).rows[0]!;
  return row;
}
