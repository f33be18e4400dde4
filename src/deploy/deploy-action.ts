import type { Logger } from '../log.js';
import type { LocalCertificateDirectory, StoredCertificate } from '../store/certificate-store.js';

/**
 * What happened to a certificate; every deploy action and notification receives it. It carries
 * the certificate itself and this host's certbot-layout directory, never the store's layout, so
 * a host that does not own the store (fleet mode) runs the same actions on its own `live/`.
 */
export interface CertificateEvent {
  event: 'issued' | 'renewed';
  name: string;
  /** The configured domains (what notifications and hooks report). */
  domains: string[];
  /** The certificate's DNS provider id (`dns`; of the first domain for a per-domain map): DNSroboCert's profile. */
  profile: string;
  /** The certificate as saved: PEMs and metadata (notAfter, serial, version). */
  certificate: StoredCertificate;
  /** Where this host keeps `name`'s files (`live/<name>/`): hooks, pfx and permissions work there. */
  local: LocalCertificateDirectory;
}

/** One step after a certificate lands; run in the user's order. */
export interface DeployAction {
  /** For logs and metrics: hook, permissions, pfx, copy, container, webhook. */
  readonly kind: string;
  /** A short description without secrets (the program, the path, the URL's host). */
  readonly describe: string;
  /** When true, a failure stops the actions after it. */
  readonly required: boolean;
  readonly timeoutMs: number;
  run(event: CertificateEvent, ctx: { log: Logger; signal: AbortSignal }): Promise<void>;
}
