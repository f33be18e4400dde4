import { sleep } from '../abort.js';
import { CertfleetError } from '../errors.js';

export interface DnsRetryOptions {
  /** First wait after a failure; doubles up to maxDelayMs, each with ±50 % jitter. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Told of each failure that will be tried again (for a debug line). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Calls `op` until it succeeds, a failure is not retryable, or `budget` aborts — then throws the
 * last failure, not the abort: "PowerDNS unreachable" says more than "timeout". A fixed number
 * of attempts would give up within a second during a DNS server restart whatever the budget.
 */
export async function retryDns<T>(op: (signal: AbortSignal) => Promise<T>, budget: AbortSignal, opts: DnsRetryOptions = {}): Promise<T> {
  let delay = opts.firstDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    budget.throwIfAborted();
    try {
      return await op(budget);
    } catch (err) {
      if (budget.aborted || !isRetryableDnsError(err)) throw err;
      const wait = delay * (0.5 + Math.random());
      opts.onRetry?.(err, attempt, wait);
      try {
        await sleep(wait, budget);
      } catch {
        throw err;
      }
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
