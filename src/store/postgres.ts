import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { emptyCopy, type CopyInput } from './copy-text.ts';
import { lockLiteral, type Sql, type Subscription, type TransactionOptions } from './sql.ts';

/** COPY data goes out in pieces of this many bytes (one CopyData message each). */
const COPY_PIECE = 1 << 20;

/** PostgreSQL through a pg pool. */
export function postgresSql(connectionString: string, options: { max?: number } = {}): Sql {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  pool.on('error', () => {
    // An idle client lost its connection (e.g. PostgreSQL restarted); the pool replaces it.
  });
  const listeners = new Set<pg.Client>();
  let closed = false;
  return {
    kind: 'postgres',
    query: async (text, params, queryOptions) =>
      (queryOptions?.name
        ? pool.query({ name: queryOptions.name, text, values: params as unknown[] })
        : pool.query(text, params as unknown[])) as never,
    transaction: (work, transactionOptions) => poolTransaction(pool, work, transactionOptions),
    copy: (table, columns, data) => poolCopy(pool, table, columns, data),
    async listen(channel, onMessage, onLost) {
      if (closed) throw new Error('the database is closed');
      return listenOn(connectionString, listeners, { channel, onMessage, onLost });
    },
    async close() {
      closed = true;
      for (const client of [...listeners]) await client.end().catch(() => undefined);
      listeners.clear();
      await pool.end();
    },
  };
}

/** The Sql of one checked-out client, inside its transaction: no nested transaction, no listening. */
function clientSql(client: pg.PoolClient): Sql {
  return {
    kind: 'postgres',
    query: async (text, params, queryOptions) =>
      (queryOptions?.name
        ? client.query({ name: queryOptions.name, text, values: params as unknown[] })
        : client.query(text, params as unknown[])) as never,
    transaction: async (work, options) => {
      const firstRead = options?.firstRead;
      return work(clientSql(client), firstRead ? (await client.query(firstRead)).rows : []);
    },
    copy: (table, columns, data) => copyInto(client, table, columns, data),
    listen: () => Promise.reject(new Error('listen on the pool, not inside a transaction')),
    close: async () => undefined,
  };
}

async function poolTransaction<T>(
  pool: pg.Pool,
  work: (tx: Sql, first: readonly Record<string, unknown>[]) => Promise<T>,
  options?: TransactionOptions,
): Promise<T> {
  const client = await pool.connect();
  const connection = watchConnection(client);
  try {
    // BEGIN, the lock and the first read in one round trip (the simple protocol runs them all).
    const firstRead = options?.firstRead;
    const lock = options?.lock ? `; select pg_advisory_xact_lock(${lockLiteral(options.lock)})` : '';
    const read = firstRead ? `; ${firstRead}` : '';
    const opened: pg.QueryResult | pg.QueryResult[] = await client.query(`begin${lock}${read}`);
    const first = firstRead ? (Array.isArray(opened) ? opened[opened.length - 1]! : opened).rows : [];
    const result = await work(clientSql(client), first);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch((failed: unknown) => connection.broke(failed));
    throw error;
  } finally {
    connection.release();
  }
}

async function poolCopy(pool: pg.Pool, table: string, columns: readonly string[], data: CopyInput): Promise<void> {
  const client = await pool.connect();
  const connection = watchConnection(client);
  try {
    await copyInto(client, table, columns, data);
  } catch (error) {
    connection.broke(error); // a COPY cut short leaves the connection in no state to reuse
    throw error;
  } finally {
    connection.release();
  }
}

/** LISTEN on a connection of its own (outside the pool), kept in `listeners` until closed or lost. */
async function listenOn(
  connectionString: string,
  listeners: Set<pg.Client>,
  subscriber: { channel: string; onMessage: (payload: string) => void; onLost: () => void },
): Promise<Subscription> {
  const { channel, onMessage, onLost } = subscriber;
  const client = new pg.Client({ connectionString });
  listeners.add(client);
  let lost = false;
  const drop = () => {
    if (lost) return;
    lost = true;
    listeners.delete(client);
    onLost();
  };
  client.on('notification', (message) => {
    if (message.channel === channel) onMessage(message.payload ?? '');
  });
  client.on('error', drop);
  client.on('end', drop);
  await client.connect();
  await client.query(`listen ${identifier(channel)}`);
  return {
    async close(): Promise<void> {
      lost = true;
      listeners.delete(client);
      await client.end().catch(() => undefined);
    },
  };
}

/** COPY … FROM STDIN of text-format lines on one connection. */
async function copyInto(client: pg.ClientBase, table: string, columns: readonly string[], data: CopyInput): Promise<void> {
  if (emptyCopy(data)) return;
  const stream = client.query(copyFrom(`copy ${identifier(table)} (${columns.map(identifier).join(', ')}) from stdin`));
  await new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
    for (const piece of typeof data === 'string' ? [Buffer.from(data)] : data) {
      // Large pieces go out as views of at most COPY_PIECE bytes (no copies).
      for (let start = 0; start < piece.length; start += COPY_PIECE) stream.write(piece.subarray(start, start + COPY_PIECE));
    }
    stream.end();
  });
}

/** Table, column and channel names are ours (lowercase words); anything else is refused. */
function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return name;
}

/**
 * Watches a client taken from the pool. While checked out the pool listens to it no more, so a
 * connection dropped between two queries (PostgreSQL restarting: `terminating connection due to
 * administrator command`) would emit an unhandled 'error' and end the process; here it is
 * noted instead (the transaction learns of it from its next query). A client that broke, or
 * could not roll back, is released with its error: the pool discards it rather than reuse it.
 */
function watchConnection(client: pg.PoolClient): { broke(error: unknown): void; release(): void } {
  let broken: Error | null = null;
  const broke = (error: unknown) => {
    broken ??= error instanceof Error ? error : new Error(String(error));
  };
  client.on('error', broke);
  return {
    broke,
    release() {
      client.off('error', broke);
      client.release(broken ?? undefined);
    },
  };
}
