import { sleep } from '../abort.js';
import { errorMessage } from '../errors.js';
import type { CertificateSpec, DeployRunner } from '../issue/renewer.js';
import type { Logger } from '../log.js';
import type { CertificateStore, LocalCertificateDirectory } from '../store/certificate-store.js';
import type { CertificateVersion, FleetStore } from '../store/fleet-store.js';
import type { DeliveryLedger } from './delivery-ledger.js';

export interface FleetDeliveryOptions {
  fleet: FleetStore;
  store: Pick<CertificateStore, 'load'>;
  local: Pick<LocalCertificateDirectory, 'write'>;
  /** The pipeline's deploy runner (the same actions a renewal on this host runs). */
  deploy: DeployRunner;
  ledger: DeliveryLedger;
  /** This host's spec of `name`; undefined: not configured here (its files are written, nothing deployed). */
  spec(name: string): CertificateSpec | undefined;
  log: Logger;
  /**
   * Another host's save is written here: the daemon reschedules the name's next look (not called
   * for this host's own saves, which its pipeline scheduled already).
   */
  onSaved?: ((change: CertificateVersion) => void) | undefined;
  /** A managed certificate changed (issue 16's management API hooks in here). */
  onManagedChanged?: ((name: string) => void) | undefined;
  onDelivery?: ((result: 'delivered' | 'failed') => void) | undefined;
  /** Retry backoff after a failed delivery: doubles from `minMs` up to `maxMs`. */
  backoff?: { minMs: number; maxMs: number } | undefined;
}

const DEFAULT_BACKOFF = { minMs: 1_000, maxMs: 60_000 };

/**
 * Fleet mode's delivery (issue 15): every version any host saves reaches this host's live/ and
 * its deploy actions. Told by the store's `saved` notifications; on start and on every reconnect
 * it catches up with one `undelivered()` query (notifications sent while down are lost). A
 * failed delivery is retried with backoff; until then the old files keep serving.
 */
export class FleetDelivery {
  private readonly backoff: { minMs: number; maxMs: number };
  /** Versions wanted but not yet written and recorded, by name (for `behind` and retries). */
  private readonly pending = new Map<string, number>();
  private readonly attempts = new Map<string, number>();
  private readonly retrying = new Set<string>();
  private readonly tasks = new Set<Promise<void>>();
  private up = false;
  private signal: AbortSignal = AbortSignal.abort();

  constructor(private readonly o: FleetDeliveryOptions) {
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
  }

  /** Whether the store's connection is up (readiness: the `database` check). */
  get connected(): boolean {
    return this.up;
  }

  /** Certificates whose current version this host has not delivered yet (as far as it knows). */
  get behind(): number {
    return this.pending.size;
  }

  /** Listens until `signal` fires; resolves once listening and the first catch-up has begun. */
  async start(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    await this.o.fleet.watch({
      saved: (change) => this.want(change),
      managedChanged: (name) => this.o.onManagedChanged?.(name),
      connection: (up) => {
        this.up = up;
        this.o.log.info({ connected: up }, up ? 'fleet_connected' : 'fleet_disconnected');
        if (up) this.track(this.catchUp());
      },
    }, signal);
  }

  /** Waits for every delivery under way (stop: after `signal` fired, they end soon). */
  async settled(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all(this.tasks);
  }

  /** The fleet's versions this host has not recorded: one query, then one delivery each. */
  private async catchUp(): Promise<void> {
    try {
      const behind = await this.o.fleet.undelivered(this.signal);
      if (behind.length > 0) this.o.log.info({ certificates: behind.length }, 'fleet_catching_up');
      for (const change of behind) this.want(change);
    } catch (err) {
      // The next reconnect catches up again; a lost connection is reported by the store.
      if (!this.signal.aborted) this.o.log.warn({ error: errorMessage(err) }, 'fleet_catch_up_failed');
    }
  }

  /** Retries the delivery of a version a local save saved but could not write or record here. */
  retry(name: string, version: number): void {
    this.want({ name, version });
  }

  private want(change: CertificateVersion): void {
    if ((this.pending.get(change.name) ?? 0) >= change.version) return;
    this.pending.set(change.name, change.version);
    this.track(this.deliver(change.name));
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  /** One delivery of the newest wanted version of `name`, in the certificate's ledger queue. */
  private async deliver(name: string): Promise<void> {
    const failed = await this.o.ledger.serial(name, () => this.deliverNow(name)).then(() => undefined, (err: unknown) => err);
    if (failed === undefined || this.signal.aborted) return;
    const attempt = (this.attempts.get(name) ?? 0) + 1;
    this.attempts.set(name, attempt);
    const ms = Math.min(this.backoff.maxMs, this.backoff.minMs * 2 ** (attempt - 1));
    this.o.onDelivery?.('failed');
    this.o.log.error({ cert: name, version: this.pending.get(name), attempt, retry_in_ms: ms, error: errorMessage(failed) }, 'fleet_delivery_failed');
    if (this.retrying.has(name)) return;
    this.retrying.add(name);
    try {
      await sleep(ms, this.signal);
    } catch {
      return;
    } finally {
      this.retrying.delete(name);
    }
    if (this.pending.has(name)) await this.deliver(name);
  }

  private async deliverNow(name: string): Promise<void> {
    const version = this.pending.get(name);
    if (version === undefined) return;
    const signal = this.signal;
    if (this.o.ledger.version(name) < version) {
      const cert = await this.o.store.load(name, signal);
      // Deleted since (a managed certificate removed): nothing left to deliver.
      if (!cert) return this.done(name, version);
      await this.o.local.write(cert, signal);
      this.o.ledger.record(name, cert.meta.version);
      const spec = this.o.spec(name);
      // Deploy failures are the deploy runner's: recorded in the state and retried at its backoff.
      if (spec) await this.o.deploy.run(spec, cert.meta.version > 1 ? 'renewed' : 'issued', cert, signal);
      this.o.log.info({ cert: name, version: cert.meta.version }, 'fleet_delivered');
      this.o.onSaved?.({ name, version: cert.meta.version });
    }
    // Written here already (this host's own save, or an earlier attempt): only the record is left.
    const written = this.o.ledger.version(name);
    if (this.o.ledger.markedVersion(name) < written) {
      await this.o.fleet.markDelivered({ name, version: written }, signal);
      this.o.ledger.recordMarked(name, written);
      this.o.onDelivery?.('delivered');
    }
    this.done(name, written);
  }

  private done(name: string, version: number): void {
    this.attempts.delete(name);
    if ((this.pending.get(name) ?? 0) <= version) this.pending.delete(name);
  }
}
