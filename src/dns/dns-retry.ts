import { sleep, timeoutSignal } from '../abort.js';
import { CertfleetError } from '../errors.js';

export interface DnsRetryOptions {
  /** First wait after a failure; doubles up to maxDelayMs, each with ±50 % jitter. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Told of each failure that will be tried again (for a debug line). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Calls `op` until it succeeds, a failure is not retryable, `signal` aborts, or `deadline` has
 * passed — then throws the last failure of the provider, not the abort: "PowerDNS unreachable"
 * says more than "timeout". A fixed number of attempts gave up within a second during a DNS
 * server restart whatever the budget. The deadline only stops further attempts: one in flight
 * is not cut short, so whether it wrote anything is known.
 */
export async function retryDns<T>(op: (signal: AbortSignal) => Promise<T>, signal: AbortSignal, opts: DnsRetryOptions & { deadline?: AbortSignal; deadlineMs?: number } = {}): Promise<T> {
  // deadlineMs: a deadline of our own, cleared on return (see timeoutSignal: one per TXT write).
  const own = opts.deadlineMs === undefined ? undefined : timeoutSignal(opts.deadlineMs);
  try {
    return await retrying(op, signal, { ...opts, deadline: own?.signal ?? opts.deadline });
  } finally {
    own?.clear();
  }
}

async function retrying<T>(op: (signal: AbortSignal) => Promise<T>, signal: AbortSignal, opts: DnsRetryOptions & { deadline?: AbortSignal | undefined }): Promise<T> {
  const stop = opts.deadline ? AbortSignal.any([signal, opts.deadline]) : signal;
  let delay = opts.firstDelayMs ?? 250;
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    if (stop.aborted) throw last ?? signal.reason ?? opts.deadline?.reason;
    try {
      return await op(signal);
    } catch (err) {
      if (signal.aborted) throw last ?? err;
      if (!isRetryableDnsError(err)) throw err;
      last = err;
      const wait = delay * (0.5 + Math.random());
      opts.onRetry?.(err, attempt, wait);
      await sleep(wait, stop).catch(() => undefined);
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5_000);
    }
  }
}

/** A CertfleetError says whether it is worth trying again; anything else (a reset, a raw socket error) is. */
export function isRetryableDnsError(err: unknown): boolean {
  return !(err instanceof CertfleetError) || err.retryable;
}

/** Errors of the connect phase: the request never left, so nothing was written. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * True when the failure proves the provider wrote nothing: the credentials or the zone were
 * refused, or no connection was made. Anything else (a timeout, a reset, a 5xx) may have
 * landed, and its records must be cleaned up.
 */
export function provablyNotWritten(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof CertfleetError && (e.code === 'DNS_AUTH' || e.code === 'DNS_ZONE_NOT_FOUND' || e.code === 'DNS_NO_PROVIDER')) return true;
    if (NEVER_SENT.has((e as NodeJS.ErrnoException).code ?? '')) return true;
  }
  return false;
}
