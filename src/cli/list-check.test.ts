import { describe, expect, it } from 'vitest';
import type { CertificateStatus } from '../scheduler/certificate-status.js';
import { checkProblems, CHECK_WITHIN_MS, foreignNote, formatLocal } from './list-check.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const status = (o: Partial<CertificateStatus>): CertificateStatus => ({ name: 'web', decision: { due: false, at: NOW + DAY, reason: 'x' }, action: 'wait', dueAt: NOW + DAY, ...o });
const stored = (days: number) => ({ notAfter: iso(NOW + days * DAY), issuedAt: iso(NOW - DAY), daysLeft: days });

describe('list --check', () => {
  it('passes a valid certificate outside the window; fails one inside it, an expired one, a failing one, a failing required deploy, none at all', () => {
    expect(checkProblems({ status: status({ stored: stored(60) }) }, NOW, CHECK_WITHIN_MS)).toEqual([]);
    expect(checkProblems({ status: status({ stored: stored(10) }) }, NOW, CHECK_WITHIN_MS)).toEqual([expect.stringMatching(/^expires in 10 days \(.*\), within 14 days$/)]);
    expect(checkProblems({ status: status({ stored: stored(10) }) }, NOW, 7 * DAY)).toEqual([]);
    expect(checkProblems({ status: status({ stored: { ...stored(-1), daysLeft: -1 } }) }, NOW, CHECK_WITHIN_MS)).toEqual([expect.stringMatching(/^expired /)]);
    expect(checkProblems({ status: status({ stored: stored(60), last: { result: 'failed', error: 'DNS_AUTH: no' } }) }, NOW, CHECK_WITHIN_MS)).toEqual(['failing: DNS_AUTH: no']);
    const deploy = { failures: 1, actions: [{ kind: 'hook', describe: 'hook x', required: true, result: 'failed' as const, at: iso(NOW), error: 'exit 1' }, { kind: 'webhook', describe: 'webhook h', required: false, result: 'failed' as const, at: iso(NOW) }] };
    expect(checkProblems({ status: status({ stored: stored(60), deploy }) }, NOW, CHECK_WITHIN_MS)).toEqual(['deploy failing: hook x: exit 1']);
    expect(checkProblems({ status: status({}) }, NOW, CHECK_WITHIN_MS)).toEqual(['no certificate yet']);
  });

  it('names a foreign live/<name> and what to do instead of an empty row', () => {
    expect(checkProblems({ status: status({}), foreign: "certbot's directory" }, NOW, CHECK_WITHIN_MS)).toEqual(["not certfleet's: run certfleet import certbot"]);
    expect(foreignNote('a file')).toBe("not certfleet's: live/<name> is a file; move it away");
  });

  it('shows local minutes, not ISO with milliseconds', () => {
    const d = new Date(2026, 11, 1, 14, 5, 59, 999);
    expect(formatLocal(d.toISOString())).toBe('2026-12-01 14:05');
  });
});
