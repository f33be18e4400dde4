/**
 * When a certificate is renewed: one pure function of what is stored, what is wanted, the
 * per-certificate schedule state and the clock. No I/O, so every rule is tested with a fake clock.
 *
 * Rules, in order:
 * 1. No certificate, or its domains, key type or CA differ from the config: due now.
 * 2. After a failure: not before `nextAttempt` (backoff 1 min, 10 min, 100 min, then daily,
 *    ±10 % jitter; at most 1 hour apart once the certificate is in its last tenth of life or
 *    its last day, whichever is longer: the "emergency" zone). Once it is over, a due attempt's
 *    reason is `retry after failure N`.
 * 3. ARI (RFC 9773): at the random time chosen inside the CA's window for this serial; a window
 *    already past means now. The chosen time is never later than the start of the emergency zone.
 * 4. Otherwise when a third of the lifetime remains (half for lifetimes under 10 days).
 * 5. `force_renew`: also once the certificate is `forceRenewAfterMs` old, if that comes first:
 *    12 hours in the daemon (DNSroboCert's twice-daily check: never a loop), 0 for one `issue` run.
 */

import { isoTime as iso, parseIsoTime } from '../iso-time.js';
import type { AriState, RenewalState } from '../store/renewal-state.js';

const DAY = 86_400_000;
export const FAILURE_BACKOFF_MS = [60_000, 600_000, 6_000_000, DAY] as const;
export const EMERGENCY_RETRY_MS = 3_600_000;
/** Bounds on how often the CA's renewalInfo is asked again (its Retry-After is clamped to them). */
export const ARI_RECHECK_MIN_MS = 10 * 60_000;
export const ARI_RECHECK_MAX_MS = 12 * 3_600_000;
export const ARI_RECHECK_DEFAULT_MS = 6 * 3_600_000;
/** How often the daemon renews a `force_renew` certificate: DNSroboCert forces a renewal at each of its two daily checks. */
export const FORCE_RENEW_INTERVAL_MS = 12 * 3_600_000;

export interface CertificateFacts {
  domains: string[];
  keyType: string;
  notBefore: string;
  notAfter: string;
  serial: string;
  directory?: string | undefined;
  /** When certfleet saved it (force_renew counts from there; notBefore when absent). */
  issuedAt?: string | undefined;
}

// The state types live with the store that persists them; re-exported for the scheduler's callers.
export { EMPTY_STATE, type AriState, type PendingTxt, type RenewalState } from '../store/renewal-state.js';

export type Decision =
  | { due: true; reason: string }
  | { due: false; at: number; reason: string };

export interface WantedCertificate {
  domains: string[];
  keyType: string;
  directory?: string;
  /** `force_renew`: renew once the certificate is this old (rule 5); absent: not forced. */
  forceRenewAfterMs?: number | undefined;
}

export function decideRenewal(cert: CertificateFacts | undefined, wanted: WantedCertificate, state: RenewalState, now: number): Decision {
  const changed = !cert ? 'no certificate yet'
    : !sameSet(cert.domains, wanted.domains) ? 'domains changed'
    : cert.keyType !== wanted.keyType ? 'key type changed'
    // Moving from a staging CA to production (or to another CA) must give a certificate from the new one.
    : cert.directory && wanted.directory && cert.directory !== wanted.directory ? 'CA changed'
    : undefined;
  const retryAt = state.nextAttempt ? parseIsoTime(state.nextAttempt) : undefined;
  if (retryAt !== undefined && now < retryAt) {
    return { due: false, at: retryAt, reason: `retry after failure ${state.failures} at ${iso(retryAt)}` };
  }
  // Once the backoff is over, an attempt that is due is the retry: plan, list, dashboard and the
  // renewer's log lines all say so, not the rule that first made it due.
  const retry = state.lastResult === 'failed' ? `retry after failure ${state.failures}` : undefined;
  if (changed || !cert) return { due: true, reason: retry ?? changed ?? 'no certificate yet' };

  const renewAt = wanted.forceRenewAfterMs === undefined ? renewalTime(cert, state.ari) : forcedTime(cert, state.ari, wanted.forceRenewAfterMs);
  if (now >= renewAt.at) return { due: true, reason: retry ?? renewAt.why };
  return { due: false, at: renewAt.at, reason: `${renewAt.why} at ${iso(renewAt.at)}` };
}

/** The moment a valid certificate should be renewed, and by which rule. */
export function renewalTime(cert: CertificateFacts, ari: AriState | undefined): { at: number; why: string } {
  const start = parseIsoTime(cert.notBefore);
  const end = parseIsoTime(cert.notAfter);
  const lifetime = end - start;
  const emergency = emergencyStart(start, end);
  if (ari?.window && ari.serial === cert.serial) return { at: Math.min(parseIsoTime(ari.window.chosen), emergency), why: 'ARI window' };
  const ratio = lifetime < 10 * DAY ? 1 / 2 : 1 / 3;
  return { at: end - lifetime * ratio, why: `${ratio === 0.5 ? 'half' : 'a third'} of the lifetime left` };
}

/** Rule 5: the earlier of the usual moment and `after` past the certificate's issuance. */
function forcedTime(cert: CertificateFacts, ari: AriState | undefined, after: number): { at: number; why: string } {
  const usual = renewalTime(cert, ari);
  const at = parseIsoTime(cert.issuedAt ?? cert.notBefore) + after;
  if (usual.at <= at) return usual;
  return { at, why: after === 0 ? 'force_renew (on every issue run)' : `force_renew (every ${Math.round(after / 3_600_000)} h)` };
}

/** Start of the last tenth of the lifetime, or of the last day when that is longer. */
export function emergencyStart(notBefore: number, notAfter: number): number {
  return notAfter - Math.max((notAfter - notBefore) / 10, DAY);
}

/** The state after a failed attempt: next try by the backoff ladder, capped near expiry. */
export function recordFailure(state: RenewalState, cert: CertificateFacts | undefined, error: string, now: number, random = Math.random): RenewalState {
  const failures = state.failures + 1;
  let delay: number = FAILURE_BACKOFF_MS[Math.min(failures, FAILURE_BACKOFF_MS.length) - 1]!;
  if (cert && now >= emergencyStart(parseIsoTime(cert.notBefore), parseIsoTime(cert.notAfter))) delay = Math.min(delay, EMERGENCY_RETRY_MS);
  delay *= 0.9 + 0.2 * random();
  return { ...state, failures, lastAttempt: iso(now), lastResult: 'failed', lastError: error, nextAttempt: iso(now + delay) };
}

export function recordSuccess(state: RenewalState, result: 'issued' | 'renewed', now: number): RenewalState {
  // The ARI window belonged to the old certificate: the new one gets its own.
  const { ari: _old, nextAttempt: _next, lastError: _err, ...rest } = state;
  return { ...rest, failures: 0, lastAttempt: iso(now), lastResult: result };
}

/**
 * The state after a renewalInfo answer: a new window gets a new uniformly random moment in
 * it; the same window keeps the moment already chosen (it was persisted for that reason).
 */
export function recordAri(state: RenewalState, serial: string, answer: { start: number; end: number; explanationUrl?: string; retryAfterMs?: number } | undefined, now: number, random = Math.random): RenewalState {
  const recheck = clamp(answer?.retryAfterMs ?? ARI_RECHECK_DEFAULT_MS, ARI_RECHECK_MIN_MS, ARI_RECHECK_MAX_MS);
  const ari: AriState = { serial, nextCheck: iso(now + recheck) };
  if (answer) {
    const prev = state.ari?.serial === serial ? state.ari.window : undefined;
    const same = prev && parseIsoTime(prev.start) === answer.start && parseIsoTime(prev.end) === answer.end;
    const chosen = same ? prev.chosen : iso(answer.start + random() * (answer.end - answer.start));
    ari.window = { start: iso(answer.start), end: iso(answer.end), chosen, ...(answer.explanationUrl ? { explanationUrl: answer.explanationUrl } : {}) };
  }
  return { ...state, ari };
}

/** The CA could not be asked: keep what is known of the window, ask again after the minimum interval. */
export function recordAriFailure(state: RenewalState, serial: string, now: number): RenewalState {
  const known = state.ari?.serial === serial ? state.ari : { serial };
  return { ...state, ari: { ...known, nextCheck: iso(now + ARI_RECHECK_MIN_MS) } };
}

/** When renewalInfo should be asked again (now when never asked for this serial). */
export function ariCheckTime(state: RenewalState, serial: string): number {
  return state.ari && state.ari.serial === serial ? parseIsoTime(state.ari.nextCheck) : 0;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  // Most certificates have one or two names: no copies, sorts and joins for each at a 100,000-certificate plan.
  if (a.length === 1) return a[0] === b[0];
  return [...a].sort().join(',') === [...b].sort().join(',');
}
