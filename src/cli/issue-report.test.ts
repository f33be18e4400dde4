import { describe, expect, it } from 'vitest';
import type { IssueOutcome } from '../daemon/issue-run.js';
import type { DeployResult } from '../deploy/run-deploy.js';
import type { CertificateMeta } from '../store/file-store.js';
import { issueLine } from './issue-report.js';

const NOW = Date.parse('2026-12-01T10:32:00Z');
const at = (iso: string) => new Date(Date.parse(iso)).toISOString();
const meta = (notAfter: string) => ({ notAfter: at(notAfter), notBefore: at('2026-11-01T00:00:00Z') }) as CertificateMeta;
const failedState = { failures: 1, lastResult: 'failed' as const, lastAttempt: at('2026-12-01T10:30:00Z'), lastError: 'PowerDNS provider home: API key refused (HTTP 401)', nextAttempt: at('2026-12-01T10:42:00Z') };

describe('issueLine', () => {
  it('a certificate issued, renewed or validly skipped is one plain line and no failure', () => {
    expect(issueLine({ name: 'web', result: 'issued', detail: '/s/live/web', meta: meta('2027-03-01T00:00:00Z'), state: { failures: 0, lastResult: 'issued' } }, NOW))
      .toEqual({ failed: false, text: 'web: issued (/s/live/web)' });
    expect(issueLine({ name: 'web', result: 'skipped', detail: 'a third of the lifetime left at 2027-01-30T00:00:00.000Z', meta: meta('2027-03-01T00:00:00Z'), state: { failures: 0 } }, NOW))
      .toEqual({ failed: false, text: 'web: skipped (a third of the lifetime left at 2027-01-30T00:00:00.000Z)' });
  });

  it('skipped inside the backoff of a failure, with no certificate: FAILED, with the last error and the next attempt', () => {
    const o: IssueOutcome = { name: 'www', result: 'skipped', detail: 'retry after failure 1 at 2026-12-01T10:42:00.000Z', state: failedState };
    expect(issueLine(o, NOW)).toEqual({ failed: true, text: 'www: FAILED: no certificate; last attempt failed 2 min ago: PowerDNS provider home: API key refused (HTTP 401); next attempt after 2026-12-01 10:42 UTC (in 10 min)' });
  });

  it('a renewal that failed while the certificate is still valid is a failure too', () => {
    const o: IssueOutcome = { name: 'www', result: 'failed', detail: 'boom', meta: meta('2026-12-20T08:00:00Z'), state: { ...failedState, lastAttempt: at('2026-12-01T10:32:00Z'), lastError: 'boom' } };
    expect(issueLine(o, NOW)).toEqual({ failed: true, text: 'www: FAILED: certificate valid until 2026-12-20 08:00 UTC; this attempt failed: boom; next attempt after 2026-12-01 10:42 UTC (in 10 min)' });
    expect(issueLine({ ...o, result: 'skipped', detail: 'retry' }, NOW).text).toBe('www: FAILED: certificate valid until 2026-12-20 08:00 UTC; last attempt failed just now: boom; next attempt after 2026-12-01 10:42 UTC (in 10 min)');
  });

  it('an expired certificate is a failure even without a recorded error', () => {
    const o: IssueOutcome = { name: 'old', result: 'skipped', detail: 'something', meta: meta('2026-11-29T10:32:00Z'), state: { failures: 0 } };
    expect(issueLine(o, NOW)).toEqual({ failed: true, text: 'old: FAILED: certificate expired 2 days ago (2026-11-29 10:32 UTC); skipped: something' });
  });

  it('once the backoff is over, an earlier failure no longer counts; a failed deploy action does', () => {
    const o: IssueOutcome = { name: 'web', result: 'skipped', detail: 'ok', meta: meta('2027-03-01T00:00:00Z'), state: { ...failedState, nextAttempt: at('2026-12-01T10:00:00Z') } };
    expect(issueLine(o, NOW).failed).toBe(false);
    expect(issueLine({ ...o, result: 'renewed', state: { failures: 0 }, deploy: [{ kind: 'hook', describe: 'hook x', result: 'failed', ms: 3, error: 'exit 1' } satisfies DeployResult] }, NOW))
      .toEqual({ failed: true, text: 'web: renewed (ok)' });
  });

  it('an error of several lines stays on one line', () => {
    const o: IssueOutcome = { name: 'n', result: 'failed', detail: 'first\n  second\nthird', state: { failures: 1 } };
    expect(issueLine(o, NOW).text).toBe('n: FAILED: no certificate; this attempt failed: first second third');
  });
});
