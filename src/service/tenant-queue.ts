/** Runs one task at a time per tenant, in arrival order; tenants run side by side. */
export class TenantQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(tenant: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(tenant) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(tenant, tail);
    void tail.then(() => {
      if (this.tails.get(tenant) === tail) this.tails.delete(tenant);
    });
    return next;
  }
}
