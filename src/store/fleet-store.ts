/**
 * Fleet mode (issue 15): what a daemon needs of a store that several hosts share, beyond
 * CertificateStore. The PostgreSQL store implements it; the directory store does not (one host).
 * Every time in it is the shared store's clock, never this host's.
 */

/** A certificate's current version (CertificateMeta.version). */
export interface CertificateVersion {
  name: string;
  version: number;
}

/** What a fleet store tells a watching daemon. */
export interface FleetEvents {
  /** A save committed on any host (this one included): `version` is now current. */
  saved(change: CertificateVersion): void;
  /** A managed certificate (ManagedCertificateStore) was put or deleted on any host. */
  managedChanged(name: string): void;
  /**
   * The connection to the shared store was lost (false) or is back (true). Notifications sent
   * while it was down are lost: catch up (`undelivered`) when it is back.
   */
  connection(up: boolean): void;
}

export interface FleetHost {
  id: string;
  /** ISO time of the host's last heartbeat. */
  lastSeen: string;
  /** The version of each certificate this host has written to its local directory. */
  delivered: Record<string, number>;
}

export interface FleetLease {
  name: string;
  holder: string;
  token: string;
  /** ISO time the lease expires unless its holder renews it. */
  expiresAt: string;
}

export interface FleetStatus {
  now: string;
  hosts: FleetHost[];
  /** Every certificate's current version. */
  current: CertificateVersion[];
  leases: FleetLease[];
}

export interface FleetStore {
  /** This host's id (`store.host`, by default the hostname). */
  readonly host: string;
  /**
   * Calls `events` until `signal` fires, reconnecting with backoff; resolves once listening (the
   * first `connection(true)` has been sent), rejects only when the first connection fails.
   */
  watch(events: FleetEvents, signal: AbortSignal): Promise<void>;
  /** The certificates whose current version this host has not recorded as delivered: one query. */
  undelivered(signal: AbortSignal): Promise<CertificateVersion[]>;
  /** Records that this host wrote `version` of `name` to its local directory. */
  markDelivered(change: CertificateVersion, signal: AbortSignal): Promise<void>;
  /** Records this host as alive (hosts.last_seen := the store's now). */
  heartbeat(signal: AbortSignal): Promise<void>;
  status(signal: AbortSignal): Promise<FleetStatus>;
}
