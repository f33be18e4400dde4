import type { CertificateVersion, FleetEvents, FleetStatus, FleetStore } from '../../src/store/fleet-store.js';

/**
 * An in-memory FleetStore for delivery and daemon unit tests: `publish` is a committed save's
 * NOTIFY, `drop`/`restore` the connection. `failMark` makes markDelivered reject (a lost
 * connection). Counts the queries a real store would send.
 */
export class FakeFleetStore implements FleetStore {
  /** Every certificate's current version, as the shared store has it. */
  readonly current = new Map<string, number>();
  /** What each host has recorded as delivered. */
  readonly delivered = new Map<string, Map<string, number>>();
  readonly lastSeen = new Map<string, string>();
  readonly queries: string[] = [];
  failMark: Error | undefined;
  failWatch: Error | undefined;
  private readonly watchers = new Set<FleetEvents>();

  constructor(readonly host = 'host-a', private readonly now: () => number = Date.now) {}

  async watch(events: FleetEvents, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.failWatch) throw this.failWatch;
    this.queries.push('listen');
    this.watchers.add(events);
    signal.addEventListener('abort', () => this.watchers.delete(events), { once: true });
    events.connection(true);
    return Promise.resolve();
  }

  undelivered(signal: AbortSignal): Promise<CertificateVersion[]> {
    signal.throwIfAborted();
    this.queries.push('undelivered');
    const mine = this.delivered.get(this.host);
    return Promise.resolve([...this.current].filter(([n, v]) => (mine?.get(n) ?? 0) < v).map(([name, version]) => ({ name, version })));
  }

  markDelivered(change: CertificateVersion, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.queries.push(`mark ${change.name}@${change.version}`);
    if (this.failMark) return Promise.reject(this.failMark);
    this.deliveredOf(this.host).set(change.name, change.version);
    return Promise.resolve();
  }

  heartbeat(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.queries.push('heartbeat');
    this.lastSeen.set(this.host, new Date(this.now()).toISOString());
    return Promise.resolve();
  }

  status(signal: AbortSignal): Promise<FleetStatus> {
    signal.throwIfAborted();
    const hosts = [...new Set([...this.lastSeen.keys(), ...this.delivered.keys()])].sort();
    return Promise.resolve({
      now: new Date(this.now()).toISOString(),
      hosts: hosts.map((id) => ({ id, lastSeen: this.lastSeen.get(id) ?? '', delivered: Object.fromEntries(this.delivered.get(id) ?? []) })),
      current: [...this.current].map(([name, version]) => ({ name, version })),
      leases: [],
    });
  }

  /** A save committed on some host: the version is current and every watcher is told. */
  publish(change: CertificateVersion): void {
    this.current.set(change.name, change.version);
    for (const w of this.watchers) w.saved(change);
  }

  /** The connection goes down (true: notifications are lost while it is) or comes back. */
  connection(up: boolean): void {
    for (const w of this.watchers) w.connection(up);
  }

  managed(name: string): void {
    for (const w of this.watchers) w.managedChanged(name);
  }

  get watching(): number {
    return this.watchers.size;
  }

  private deliveredOf(host: string): Map<string, number> {
    let m = this.delivered.get(host);
    if (!m) this.delivered.set(host, (m = new Map<string, number>()));
    return m;
  }
}
