import type { RenewalState } from './renewal-state.js';

/**
 * The store seam (issue 14): the pipeline, the CLI and deploy know only these interfaces; the
 * directory store (FileStore) implements them today and a PostgreSQL store will for fleet mode.
 * No module outside src/store/ knows a path inside a store.
 */

export const PEM_FILES = ['cert', 'chain', 'fullchain', 'privkey'] as const;
export type PemFile = (typeof PEM_FILES)[number];

export interface CertificateMeta {
  name: string;
  domains: string[];
  keyType: string;
  notBefore: string;
  notAfter: string;
  issuer: string;
  serial: string;
  account: string;
  orderUrl: string;
  version: number;
  issuedAt: string;
  /** RFC 9773 identifier, for renewalInfo and `replaces` (absent in metadata written before ARI). */
  ariCertId?: string;
  /** ACME directory that issued it (absent in metadata written before this field). */
  directory?: string;
}

export interface StoredCertificate {
  meta: CertificateMeta;
  pem: Record<PemFile, string>;
}

/** Where a certificate's files are in a LocalCertificateDirectory (certbot's `live/<name>/` names). */
export type CertificatePaths = Record<PemFile, string> & { liveDir: string };

/** A held per-name lock. */
export interface Lease extends AsyncDisposable {
  /**
   * Fencing token: strictly greater for every grant of this name's lock than for any earlier
   * grant. A store refuses a save or a state write whose lease token is older than the newest
   * grant (error code STORE_FENCED), so a holder that lost its lease (a stall, a partition)
   * cannot overwrite its successor's work.
   */
  readonly token: bigint;
  /** Fires (reason: a STORE_LOCKED CertfleetError) once the lease is known to be lost. */
  readonly signal: AbortSignal;
  /** The same as [Symbol.asyncDispose]: releases the lock; idempotent. */
  release(): Promise<void>;
}

/** What the pipeline hands to save: the version is chosen by the store. */
export interface NewCertificate {
  meta: Omit<CertificateMeta, 'version'>;
  pem: Record<PemFile, string>;
}

/** Schedule state with the version a compare-and-set write must name. 0: never written. */
export interface VersionedState {
  state: RenewalState;
  version: number;
}

/** One stored certificate as a start plans it: its metadata (none yet: only state was written) and its schedule state. */
export interface StoredSchedule {
  name: string;
  meta: CertificateMeta | undefined;
  state: VersionedState;
}

export interface CertificateStore {
  /** The current certificate with its PEMs, or undefined when none was ever saved. */
  load(name: string, signal: AbortSignal): Promise<StoredCertificate | undefined>;
  /** Metadata only (cheap: no PEMs). */
  readMeta(name: string, signal: AbortSignal): Promise<CertificateMeta | undefined>;
  /** Metadata of every stored certificate, by name. */
  list(signal: AbortSignal): Promise<CertificateMeta[]>;
  /**
   * Commits certificate, key and metadata **all or nothing**: a reader sees the old version or
   * the new one, never a mix; a failed save leaves nothing of the new version and never blocks a
   * later one. Refused with STORE_FENCED when `lease` is stale. Returns the saved metadata.
   */
  save(cert: NewCertificate, lease: Lease, signal: AbortSignal): Promise<CertificateMeta>;
  /** Waits for the certificate's lock (taking over a dead holder's); rejects when `signal` fires. */
  lock(name: string, signal: AbortSignal): Promise<Lease>;
  /**
   * The lock without waiting: undefined while a live holder has it (a dead holder's is taken
   * over). Fleet daemons claim due certificates with it, so each is worked on by one host.
   */
  tryLock(name: string, signal: AbortSignal): Promise<Lease | undefined>;
  /**
   * A lock per challenge TXT name, shared by every certificate that writes that name. Nothing in
   * the store is written under it, so a store may give it no fencing token (FileStore: 0).
   */
  lockTxtName(fqdn: string, signal: AbortSignal): Promise<Lease>;
  readState(name: string, signal: AbortSignal): Promise<VersionedState>;
  /**
   * Every stored certificate (metadata, state or both) with what readMeta and readState would
   * give, read in bulk: a start plans from it instead of two reads per certificate. A page of
   * rows at a time (a row at a time cost an await per certificate: a tenth of `certfleet list` at
   * 100,000); order unspecified; each name once; values as of some moment during the pass.
   * `only`: a row whose name it refuses may be left out before its values are read (a reader
   * that wants some names of a bigger store); a hint, so a reader still skips what it does not want.
   */
  schedules(signal: AbortSignal, only?: (name: string) => boolean): AsyncIterable<readonly StoredSchedule[]>;
  /**
   * Writes the schedule state under the certificate's lease (refused when stale: STORE_FENCED),
   * or without it by compare-and-set on `expectedVersion` (refused when another write came
   * first: STORE_CONFLICT; read again and retry). Returns the new version.
   */
  writeState(name: string, state: RenewalState, guard: { lease: Lease } | { expectedVersion: number }, signal: AbortSignal): Promise<VersionedState>;
  /** Whatever would stop a save, found before anything is ordered (full disk, a foreign live/<name>). */
  preflight(name: string, signal: AbortSignal): Promise<void>;
  /** Removes what killed writers left; returns what it removed (for the log). */
  sweep(signal: AbortSignal): Promise<string[]>;
  /** Readiness: whether a save could be written now. */
  writable(signal: AbortSignal): Promise<boolean>;
}

/** Account state per issuer key (CA + account): never shared between staging and production. */
export interface AccountStore {
  readAccount(issuerKey: string, signal: AbortSignal): Promise<{ keyPem: string; url?: string } | undefined>;
  writeAccount(issuerKey: string, data: { keyPem?: string; url?: string }, signal: AbortSignal): Promise<void>;
  /** The CA's learned pace (poll intervals), JSON the ACME client reads back; public data. */
  readPace(issuerKey: string, signal: AbortSignal): Promise<string | undefined>;
  writePace(issuerKey: string, json: string, signal: AbortSignal): Promise<void>;
  /** The development CA's certificate (self-signed issuer); public data. */
  readIssuerCertificate(issuerKey: string, signal: AbortSignal): Promise<string | undefined>;
  writeIssuerCertificate(issuerKey: string, pem: string, signal: AbortSignal): Promise<void>;
}

/**
 * This host's certbot-layout copy of its certificates (`live/<name>/…`): what deploy actions,
 * hooks (CERTFLEET_LIVE_DIR, RENEWED_LINEAGE) and servers read. For the directory store it is
 * the store's own `live/`; in fleet mode every host writes its own.
 */
export interface LocalCertificateDirectory {
  /** The live paths of `name` (they may not exist yet). */
  paths(name: string): CertificatePaths;
  /** Writes `cert` as the current version of `name` here, atomically (fleet hosts; the directory store's save already did). */
  write(cert: StoredCertificate, signal: AbortSignal): Promise<CertificatePaths>;
  /**
   * Every directory a reader passes through to reach `name`'s files and every file of every
   * version of it: what the permissions action may change (it opens each with O_NOFOLLOW).
   */
  accessPaths(name: string, signal: AbortSignal): Promise<{ dirs: string[]; files: string[] }>;
  /** Writes a file derived from the current version (a PFX) beside the live files, atomically; returns its path. */
  writeDerived(name: string, file: string, data: Buffer, mode: number, signal: AbortSignal): Promise<string>;
}
