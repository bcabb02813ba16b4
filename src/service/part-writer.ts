import type { Sql } from '../store/sql.ts';
import type { BatchRows } from './batch-rows.ts';
import { prepareLargeBatch } from './persist.ts';

/**
 * Events of a transaction beyond which its rows are written in parts of this many while the
 * engine applies the rest. A batch of 1000 took its engine time and then its database time, one
 * after the other; in parts, PostgreSQL writes part k while the engine applies part k + 1, so the
 * batch's latency is about the larger of the two, not their sum. Still one transaction: a batch
 * commits whole or not at all.
 */
export const PART_EVENTS = 250;

/** Writes a transaction's rows part by part, in order, each part after the one before it. */
export class PartWriter {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly tx: Sql,
    private readonly tenant: string,
  ) {}

  /** Whether a transaction of `events` events is worth writing in parts. */
  static worthIt(events: number): boolean {
    return events >= 2 * PART_EVENTS;
  }

  /**
   * Queues `rows` to be written after the parts before it. (Parts must not overlap: a later part
   * may update award rows an earlier one inserted.) A failure surfaces in `done`. The part's COPY
   * data is made now, while PostgreSQL is still busy with the part before: it then goes from one
   * part's last statement to the next part's first without waiting for this process.
   */
  write(rows: BatchRows): void {
    const writes = prepareLargeBatch(this.tenant, rows);
    this.writing = this.writing.then(async () => {
      await writes.insertNew(this.tx);
      await writes.changeExisting(this.tx);
    });
    this.writing.catch(() => undefined); // (seen by `done`, which the transaction awaits)
  }

  /** Waits for every queued part; throws the first failure. */
  async done(): Promise<void> {
    await this.writing;
  }

  /**
   * Waits until no statement of a part is queued or running, and answers the first failure (or
   * null). For a transaction ending by a throw: its rollback must come after the parts' statements,
   * else those run after it, in autocommit on the released connection (or in the next transaction
   * to take it).
   */
  async settled(): Promise<unknown> {
    return this.writing.then(
      () => null,
      (failure: unknown) => failure,
    );
  }
}
