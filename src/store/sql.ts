/**
 * The one database interface fenyong uses: parameterised SQL only ($1, $2…), the same text for
 * PostgreSQL (pg) and PGlite. Values are never interpolated into SQL.
 */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>;
  /** Runs `work` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'pglite';
}
