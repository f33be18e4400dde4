import { parseIsoTime } from '../iso-time.js';
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
    const left = parseIsoTime(status.stored.notAfter) - now;
    if (left < 0) problems.push(`expired ${formatLocal(status.stored.notAfter)}`);
    else if (left < withinMs) problems.push(`expires in ${status.stored.daysLeft} days (${formatLocal(status.stored.notAfter)}), within ${Math.round(withinMs / DAY * 10) / 10} days`);
  }
  return problems;
}

/** `list --failing / --expiring D / --name GLOB`: which rows to show (all given filters must hold). */
export interface ListFilters { failing?: boolean | undefined; expiringWithinMs?: number | undefined; name?: RegExp | undefined }

export function passesFilters({ status }: ListFacts, filters: ListFilters, now: number): boolean {
  if (filters.name && !filters.name.test(status.name)) return false;
  if (filters.failing && status.last?.result !== 'failed' && failedRequired(status.deploy).length === 0) return false;
  if (filters.expiringWithinMs !== undefined && !(status.stored && parseIsoTime(status.stored.notAfter) - now < filters.expiringWithinMs)) return false;
  return true;
}

/** A shell-style glob (`*`, `?`, `[abc]`) as an anchored regular expression over the whole name. */
export function globPattern(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    const close = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (close > 0) {
      const set = glob.slice(i + 1, close);
      re += `[${set.startsWith('!') ? `^${set.slice(1)}` : set.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // Built from the glob with every other character escaped above: no pattern of the user's own.
  // eslint-disable-next-line security/detect-non-literal-regexp
  return new RegExp(`^${re}$`);
}

/** Why a foreign live/<name> shows no certificate, and what to do about it. */
export function foreignNote(what: string): string {
  return what === "certbot's directory" ? "not certfleet's: run certfleet import certbot" : `not certfleet's: live/<name> is ${what}; move it away`;
}

/** `2026-12-01 14:05` in the machine's zone: what a person reads in a table. */
export function formatLocal(iso: string | number): string {
  // By the UTC minute: a table of 100,000 rows formats about three times as many times, most of
  // them repeated. A zone's offset is whole minutes (for any date since 1972).
  const minute = typeof iso === 'number' ? Math.floor(iso / 60_000) : isUtcIso(iso) ? iso.slice(0, 16) : undefined;
  if (minute === undefined) return localMinute(iso);
  let local = LOCAL_MINUTES.get(minute);
  if (local === undefined) {
    if (LOCAL_MINUTES.size >= 10_000) LOCAL_MINUTES.clear();
    LOCAL_MINUTES.set(minute, local = localMinute(iso));
  }
  return local;
}

const LOCAL_MINUTES = new Map<string | number, string>();
/** A UTC time as toISOString writes it (a time with an offset is not cached by its first 16 characters). */
const UTC_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d[:.\d]*Z$/;

export function isUtcIso(text: string): boolean {
  return UTC_ISO.test(text);
}

function localMinute(iso: string | number): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
