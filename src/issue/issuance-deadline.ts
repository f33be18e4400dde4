import { CertfleetError } from '../errors.js';

/**
 * What one attempt may spend on the CA beyond the DNS propagation wait: the order, the
 * authorizations, validation, finalize (a real CA's finalize is asynchronous and may stay
 * `processing` for minutes under load), the download and the save, with their retries. Ten
 * minutes is several times what a slow but working CA takes, and well inside the hour after
 * which a pending authorization expires (Let's Encrypt's `tlsserver` profile), so an attempt
 * cut here could not have finished usefully anyway. Without such a bound an attempt lasted as
 * long as its requests kept being retried: 10 attempts of 30 s per request against a CA that
 * accepts connections but never answers (pebble deadlocked, docs/benchmarks.md), and forever
 * for a poll the CA keeps answering `pending`; all that time the lease heartbeat kept every
 * other host away from the certificate.
 */
export const ISSUANCE_CA_BUDGET_MS = 10 * 60_000;

/** The DNS propagation timeout of a provider that does not set one (src/config/schema-parts.ts). */
const DEFAULT_PROPAGATION_MS = 120_000;

/**
 * The deadline of one attempt: the CA's budget plus the longest propagation wait the operator
 * configured (the solver waits that long before it answers a challenge, and a slow secondary
 * DNS is a reason to configure a long one, not a fault).
 */
export function issuanceTimeoutMs(propagationTimeoutsMs: Iterable<number>): number {
  return ISSUANCE_CA_BUDGET_MS + Math.max(0, ...propagationTimeoutsMs);
}

export const DEFAULT_ISSUANCE_TIMEOUT_MS = issuanceTimeoutMs([DEFAULT_PROPAGATION_MS]);

/**
 * A signal that aborts one attempt of `name` after `ms` with ISSUANCE_TIMEOUT (retryable: the
 * certificate is retried after the backoff like any failure). clear() when the attempt is over.
 */
export function issuanceDeadline(name: string, ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new CertfleetError(
    'ISSUANCE_TIMEOUT',
    `${name}: the issuance did not finish within ${formatMs(ms)} and was stopped (its TXT values are removed and its lease released; retried after the backoff)`,
    { retryable: true },
  )), ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * How long an aborted attempt may take to unwind on its own before it is cut: it must see its
 * issuer's `finally` (which hands the TXT cleanup to the pipeline, so the lease is held until the
 * cleanup is done) a few ticks after the abort, and only something that ignores the signal takes longer.
 */
export const UNWIND_GRACE_MS = 2_000;

/**
 * `work`'s own result; once `signal` aborts, whatever `work` ends with within `graceMs`, and after
 * that the signal's reason, whether or not the work heeds the signal (it runs on; its late result
 * is dropped, and a late save under a released lease is refused by fencing).
 */
export function endsByDeadline<T>(work: Promise<T>, signal: AbortSignal, graceMs = UNWIND_GRACE_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(signal.reason as Error), graceMs);
      timer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}
