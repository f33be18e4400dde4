import type { IssueOutcome } from '../daemon/issue-run.js';

/** One certificate's line of `certfleet issue`, and whether it counts as a failure (exit 1). */
export interface IssueLine { failed: boolean; text: string }

/**
 * A certificate has failed when it has no valid certificate (none, or expired), or its last
 * attempt failed and the retry is still ahead; a skip in that state is not success, so
 * `certfleet issue || alert` alerts. The line says what is there, what went wrong and when
 * the next attempt is.
 */
export function issueLine(o: IssueOutcome, now: number): IssueLine {
  const notAfter = o.meta ? Date.parse(o.meta.notAfter) : undefined;
  const valid = notAfter !== undefined && notAfter > now;
  const retryAt = o.state.nextAttempt ? Date.parse(o.state.nextAttempt) : undefined;
  const backingOff = o.state.lastResult === 'failed' && retryAt !== undefined && retryAt > now;
  const deployFailed = o.deploy?.some((d) => d.result !== 'ok') ?? false;
  if (o.result !== 'failed' && valid && !backingOff) {
    return { failed: deployFailed, text: `${o.name}: ${o.result}${o.detail ? ` (${o.detail})` : ''}` };
  }
  const have = notAfter === undefined ? 'no certificate'
    : valid ? `certificate valid until ${clock(notAfter)}`
    : `certificate expired ${ago(now - notAfter)} (${clock(notAfter)})`;
  const when = o.state.lastAttempt ? ` ${ago(now - Date.parse(o.state.lastAttempt))}` : '';
  const attempt = o.result === 'failed' ? `this attempt failed: ${oneLine(o.detail)}`
    : o.state.lastResult === 'failed' ? `last attempt failed${when}: ${oneLine(o.state.lastError ?? 'no error recorded')}`
    : `${o.result}: ${oneLine(o.detail)}`;
  const retry = retryAt !== undefined && retryAt > now ? `; next attempt after ${clock(retryAt)} (in ${span(retryAt - now)})` : '';
  return { failed: true, text: `${o.name}: FAILED: ${have}; ${attempt}${retry}` };
}

/** An error of several lines (a provider's answer) still makes one line per certificate. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** `2026-12-01 10:42 UTC`: precise enough for a retry, readable in a cron mail. */
function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function ago(ms: number): string {
  return ms < 10_000 ? 'just now' : `${span(ms)} ago`;
}

function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}
