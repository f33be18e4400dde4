import type { Logger } from '../log.js';
import type { CertificatePaths } from '../store/file-store.js';

/** What happened to a certificate; every deploy action and notification receives it. */
export interface CertificateEvent {
  event: 'issued' | 'renewed';
  name: string;
  domains: string[];
  paths: CertificatePaths;
  notAfter: string;
  /** The store's root directory (permissions walk from there). */
  storeRoot: string;
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
