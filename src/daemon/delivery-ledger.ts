/**
 * What this host has written to its local directory, per certificate, and the one queue per
 * certificate every write goes through. The renewing host's own save and the fleet's `saved`
 * notification of that same save both pass here: whichever comes second finds the version
 * written and does nothing, so a host deploys a version once, and an older version never lands
 * after a newer one.
 */
export class DeliveryLedger {
  private readonly written = new Map<string, number>();
  private readonly marked = new Map<string, number>();
  private readonly queues = new Map<string, Promise<unknown>>();

  /** The newest version of `name` written here in this process's life (0: none). */
  version(name: string): number {
    return this.written.get(name) ?? 0;
  }

  record(name: string, version: number): void {
    if (version > this.version(name)) this.written.set(name, version);
  }

  /** The newest version of `name` recorded in the shared store as delivered by this host (0: none known). */
  markedVersion(name: string): number {
    return this.marked.get(name) ?? 0;
  }

  recordMarked(name: string, version: number): void {
    if (version > this.markedVersion(name)) this.marked.set(name, version);
  }

  /** Runs `task` after every earlier task of `name` settled; its rejection is the caller's. */
  serial<T>(name: string, task: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(name) ?? Promise.resolve()).then(task, task);
    const settled = run.catch(() => undefined);
    this.queues.set(name, settled);
    // The queue entry goes once nothing waits behind it, so the map holds only busy names.
    void settled.then(() => { if (this.queues.get(name) === settled) this.queues.delete(name); });
    return run;
  }
}
