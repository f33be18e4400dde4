import type { CertificateStatus } from '../scheduler/certificate-status.js';
import { failedRequired } from '../scheduler/deploy-retry.js';

const DAY = 86_400_000;

/** `--check`'s default window: a certificate expiring sooner needs a look. */
export const CHECK_WITHIN_MS = 14 * DAY;

/** What `list` knows of a certificate beyond its status: a live/<name> that is another tool's. */
export interface ListFacts {
  status: CertificateStatus;
  /** "certbot's directory", "a directory", …: live/<name> is not certfleet's (absent: it is, or none). */
  foreign?: string | undefined;
}

/**
 * Why `list --check` fails a certificate; empty when it is fine. Not issued counts: a monitor
 * must not stay green while nothing is served.
 */
export function checkProblems({ status, foreign }: ListFacts, now: number, withinMs: number): string[] {
  const problems: string[] = [];
  if (foreign) problems.push(foreignNote(foreign));
  if (status.last?.result === 'failed') problems.push(`failing: ${status.last.error ?? 'the last attempt failed'}`);
  for (const f of failedRequired(status.deploy)) problems.push(`deploy failing: ${f}`);
  if (!status.stored) {
    if (!foreign && status.last?.result !== 'failed') problems.push('no certificate yet');
  } else {
    const left = Date.parse(status.stored.notAfter) - now;
    if (left < 0) problems.push(`expired ${formatLocal(status.stored.notAfter)}`);
    else if (left < withinMs) problems.push(`expires in ${status.stored.daysLeft} days (${formatLocal(status.stored.notAfter)}), within ${Math.round(withinMs / DAY * 10) / 10} days`);
  }
  return problems;
}

/** Why a foreign live/<name> shows no certificate, and what to do about it. */
export function foreignNote(what: string): string {
  return what === "certbot's directory" ? "not certfleet's: run certfleet import certbot" : `not certfleet's: live/<name> is ${what}; move it away`;
}

/** `2026-12-01 14:05` in the machine's zone: what a person reads in a table. */
export function formatLocal(iso: string | number): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
