/** What the dashboard lists under "Recent events". */
export type DashboardEventKind = 'issued' | 'renewed' | 'failed' | 'deployed' | 'deploy failed' | 'reloaded';

export interface DashboardEvent {
  /** Unix ms. */
  at: number;
  kind: DashboardEventKind;
  /** The certificate, absent for events of the whole daemon (a config reload). */
  name?: string;
  detail: string;
}

/**
 * The last `capacity` events, in memory: the dashboard's recent history since the daemon
 * started, bounded so that a daemon failing every minute for months keeps a constant size.
 */
export class EventRing {
  private readonly items: DashboardEvent[] = [];
  private next = 0;

  constructor(readonly capacity = 200) {}

  add(event: DashboardEvent): void {
    if (this.items.length < this.capacity) this.items.push(event);
    else this.items[this.next] = event;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first; of one certificate when `name` is given. */
  recent(name?: string): DashboardEvent[] {
    const ordered = [...this.items.slice(this.next), ...this.items.slice(0, this.next)].reverse();
    return name === undefined ? ordered : ordered.filter((e) => e.name === name);
  }
}
