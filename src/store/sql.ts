import type { CopyInput } from './copy-text.ts';

/**
 * The one database interface fenyong uses: parameterised SQL only ($1, $2…), the same text for
 * PostgreSQL (pg) and PGlite. Values are never interpolated into SQL, but for the two kinds that
 * cannot carry any (an advisory lock key through lockLiteral, a tenant id through tenantLiteral; each
 * lets only its own characters through), and test/reliability/security-sql.test.ts holds every
 * query of src/ to that.
 */
export interface Sql {
  query<Row = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<{ rows: Row[] }>;
  /**
   * Runs `work` in one transaction; commits when it resolves, rolls back when it throws. `first`
   * holds the rows of `options.firstRead` (empty without one).
   */
  transaction<T>(
    work: (tx: Sql, first: readonly Record<string, unknown>[]) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;
  /**
   * Bulk-loads rows with `COPY table (columns) FROM …` in PostgreSQL's text format (copy-text.ts
   * makes the lines, as one string or as the UTF-8 pieces of a CopyWriter): the cheapest way to
   * write many rows, for PostgreSQL and PGlite alike.
   */
  copy(table: string, columns: readonly string[], data: CopyInput): Promise<void>;
  /**
   * Calls `onMessage` with the payload of every NOTIFY on `channel` (sent by any connection, in
   * this process or another, when its transaction commits). `onLost` is called when the
   * subscription drops: notifications may have been missed until it is back.
   */
  listen(channel: string, onMessage: (payload: string) => void, onLost: () => void): Promise<Subscription>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'pglite';
}

export interface QueryOptions {
  /**
   * Prepares the statement once per connection under this name (PostgreSQL parses and plans it
   * once): for the statements every batch runs. The text of a name must never change.
   */
  readonly name?: string;
}

export interface TransactionOptions {
  /**
   * A transaction-level advisory lock (a signed 64-bit integer as decimal text) taken first, in
   * the same round trip as BEGIN: it serialises writers of one tenant across instances.
   */
  readonly lock?: string;
  /**
   * A read run first thing (after the lock), in the same round trip as BEGIN and the lock on
   * PostgreSQL (the simple protocol runs the three as one message): for the read every transaction
   * of a kind starts with. It sees every commit made before the lock was granted. It takes no
   * parameters: a value in it must be a literal made by tenantLiteral.
   */
  readonly firstRead?: string;
}

export interface Subscription {
  close(): Promise<void>;
}

/**
 * A tenant id as a SQL literal, for a firstRead (the one place values meet SQL text): only the
 * characters tenant ids are made of (lowercase letters, digits, dashes; src/api/routes/tenants.ts)
 * ever pass, so nothing can be quoted or escaped; null for any other text (the caller then reads
 * with a parameter, one round trip more).
 */
export function tenantLiteral(tenant: string): string | null {
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant) ? `'${tenant}'` : null;
}

/** The lock key as a SQL literal: only decimal digits with an optional sign ever pass. */
export function lockLiteral(lock: string): string {
  if (!/^-?\d{1,19}$/.test(lock)) throw new Error(`not an advisory lock key: ${lock}`);
  return lock;
}
