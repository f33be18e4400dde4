/**
 * Certificates added as data (issue 16: the management API and `certfleet cert add`), kept in the
 * store so they survive a restart and, with a shared store, reach every daemon. The spec is kept
 * as the JSON the API accepted (a certificate entry as the config file writes it) and validated
 * again, with the config's schema, when a daemon reads it.
 */

export interface ManagedCertificate {
  name: string;
  /** A `certificates[]` entry, as accepted: JSON, no secrets. */
  spec: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ManagedCertificateStore {
  listManaged(signal: AbortSignal): Promise<ManagedCertificate[]>;
  getManaged(name: string, signal: AbortSignal): Promise<ManagedCertificate | undefined>;
  /**
   * Creates or replaces `name`'s spec, atomically. 'unchanged' when the same spec is already
   * stored (an idempotent create), 'created' or 'replaced' otherwise.
   */
  putManaged(name: string, spec: Record<string, unknown>, signal: AbortSignal): Promise<'created' | 'replaced' | 'unchanged'>;
  /** False when there was none. */
  deleteManaged(name: string, signal: AbortSignal): Promise<boolean>;
}
