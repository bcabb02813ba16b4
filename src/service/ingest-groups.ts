import type { Sql } from '../store/sql.ts';
import type { ItemResult, Segment } from './apply-batch.ts';

/** One caller's events waiting for its tenant's turn, and how to answer it. */
export interface Submission extends Segment {
  readonly resolve: (results: ItemResult[]) => void;
  readonly reject: (error: unknown) => void;
  /** Called with the submission's own results inside the group's transaction (audit entries). */
  readonly within?: (tx: Sql, results: readonly ItemResult[]) => Promise<void>;
}

/** Beyond this many events a group is closed and later submissions start the next one. */
export const MAX_GROUP_EVENTS = 2000;

/**
 * Group commit: submissions for a tenant that arrive while its previous work runs wait together
 * and are then applied in one transaction, in arrival order, each answered with its own results.
 * A group opens with its first submission (which schedules the group's turn) and closes when its
 * turn comes, or when it holds MAX_GROUP_EVENTS events.
 */
export class IngestGroups {
  private readonly open = new Map<string, Submission[]>();

  constructor(
    /** Runs a tenant's task after the tasks already scheduled for it (the tenant queue). */
    private readonly schedule: (tenant: string, task: () => Promise<void>) => Promise<void>,
    /** Applies a closed group and answers each of its submissions. */
    private readonly commit: (tenant: string, group: readonly Submission[]) => Promise<void>,
  ) {}

  submit(tenant: string, segment: Segment, within?: Submission['within']): Promise<ItemResult[]> {
    return new Promise<ItemResult[]>((resolve, reject) => {
      const submission: Submission = { ...segment, resolve, reject, ...(within ? { within } : {}) };
      const group = this.open.get(tenant);
      if (group && size(group) + segment.items.length <= MAX_GROUP_EVENTS) {
        group.push(submission);
        return;
      }
      const next = [submission];
      this.open.set(tenant, next);
      void this.schedule(tenant, async () => {
        if (this.open.get(tenant) === next) this.open.delete(tenant);
        await this.commit(tenant, next);
      }).catch((error: unknown) => {
        for (const waiting of next) waiting.reject(error);
      });
    });
  }
}

function size(group: readonly Submission[]): number {
  let events = 0;
  for (const submission of group) events += submission.items.length;
  return events;
}
