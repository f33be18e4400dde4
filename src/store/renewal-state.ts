/**
 * The per-certificate schedule state a store persists beside the certificate. Declared here, not
 * in the scheduler, so the store depends on nothing above it (the scheduler's rules read it).
 */

export interface AriState {
  /** Serial of the certificate this answer is about. */
  serial: string;
  /** When to ask the CA again. */
  nextCheck: string;
  /** Absent when the CA gave no usable window. */
  window?: { start: string; end: string; chosen: string; explanationUrl?: string };
}

/**
 * A challenge TXT value certfleet is about to write, or wrote and has not yet seen removed:
 * recorded before the write, so a run killed in between leaves a note of exactly what to delete.
 */
export interface PendingTxt {
  /** The `dns.providers` id that wrote it. */
  provider: string;
  zone: string;
  /** Absolute name, without the trailing dot. */
  name: string;
  value: string;
  ttl: number;
}

/** What one deploy action did the last time the certificate's actions ran. */
export interface DeployActionState {
  kind: string;
  /** The action's description (no secrets: the program, the path, the URL's host). */
  describe: string;
  required: boolean;
  result: 'ok' | 'failed' | 'skipped';
  /** When it ran (ISO). */
  at: string;
  /** Redacted, for a failed or skipped action. */
  error?: string;
}

/**
 * The last deploy of the current certificate, per action in config order. A failed required
 * action is retried at `nextAttempt` (without reissuing); a run with no failed required action
 * clears the retry.
 */
export interface DeployState {
  actions: DeployActionState[];
  /** Consecutive runs in which a required action failed. */
  failures: number;
  nextAttempt?: string;
}

export interface RenewalState {
  failures: number;
  nextAttempt?: string;
  lastAttempt?: string;
  lastResult?: 'issued' | 'renewed' | 'failed';
  lastError?: string;
  ari?: AriState;
  /** TXT values of this certificate's challenges that may still be in DNS (removed at the next look). */
  pendingTxt?: PendingTxt[];
  /** The last deploy's results (absent before the first deploy). */
  deploy?: DeployState;
}

export const EMPTY_STATE: RenewalState = { failures: 0 };
