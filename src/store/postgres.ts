import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { emptyCopy, type CopyInput } from './copy-text.ts';
import { lockLiteral, type Sql, type Subscription } from './sql.ts';

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
  const wrap = (client: pg.PoolClient): Sql => ({
    kind: 'postgres',
    query: async (text, params, queryOptions) =>
      (queryOptions?.name
        ? client.query({ name: queryOptions.name, text, values: params as unknown[] })
        : client.query(text, params as unknown[])) as never,
    transaction: async (work) => work(wrap(client)),
    copy: (table, columns, data) => copyInto(client, table, columns, data),
    listen: () => Promise.reject(new Error('listen on the pool, not inside a transaction')),
    close: async () => undefined,
  });
  return {
    kind: 'postgres',
    query: async (text, params, queryOptions) =>
      (queryOptions?.name
        ? pool.query({ name: queryOptions.name, text, values: params as unknown[] })
        : pool.query(text, params as unknown[])) as never,
    async transaction(work, transactionOptions) {
      const client = await pool.connect();
      const connection = watchConnection(client);
      try {
        // BEGIN and the lock in one round trip (the simple protocol runs both).
        await client.query(
          transactionOptions?.lock ? `begin; select pg_advisory_xact_lock(${lockLiteral(transactionOptions.lock)})` : 'begin',
        );
        const result = await work(wrap(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((failed: unknown) => connection.broke(failed));
        throw error;
      } finally {
        connection.release();
      }
    },
    async copy(table, columns, data) {
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
    },
    async listen(channel, onMessage, onLost) {
      if (closed) throw new Error('the database is closed');
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
      } satisfies Subscription;
    },
    async close() {
      closed = true;
      for (const client of [...listeners]) await client.end().catch(() => undefined);
      listeners.clear();
      await pool.end();
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
