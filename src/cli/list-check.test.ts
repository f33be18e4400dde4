import { describe, expect, it } from 'vitest';
import type { CertificateStatus } from '../scheduler/certificate-status.js';
import { checkProblems, CHECK_WITHIN_MS, foreignNote, formatLocal, globPattern, passesFilters } from './list-check.js';

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
    // The same minute again (cached by it), and a time with an offset (not cached by its first characters).
    expect(formatLocal(d.toISOString())).toBe('2026-12-01 14:05');
    expect(formatLocal(new Date(d.getTime() + 3_600_000).toISOString().replace('Z', '+00:00'))).toBe(formatLocal(new Date(d.getTime() + 3_600_000).toISOString()));
  });
});

describe('list filters', () => {
  const facts = (o: Partial<CertificateStatus>) => ({ status: status(o) });
  it('--failing keeps a failed last attempt or a failed required deploy', () => {
    const failedDeploy = { failures: 1, actions: [{ kind: 'hook', describe: 'hook x', required: true, result: 'failed' as const, at: iso(NOW) }] };
    expect(passesFilters(facts({ last: { result: 'failed' } }), { failing: true }, NOW)).toBe(true);
    expect(passesFilters(facts({ stored: stored(60), deploy: failedDeploy }), { failing: true }, NOW)).toBe(true);
    expect(passesFilters(facts({ stored: stored(60), last: { result: 'renewed' } }), { failing: true }, NOW)).toBe(false);
  });

  it('--expiring keeps what expires within the window, expired ones included, and nothing unissued', () => {
    const within = 30 * DAY;
    expect(passesFilters(facts({ stored: stored(10) }), { expiringWithinMs: within }, NOW)).toBe(true);
    expect(passesFilters(facts({ stored: { ...stored(-2), daysLeft: -2 } }), { expiringWithinMs: within }, NOW)).toBe(true);
    expect(passesFilters(facts({ stored: stored(45) }), { expiringWithinMs: within }, NOW)).toBe(false);
    expect(passesFilters(facts({}), { expiringWithinMs: within }, NOW)).toBe(false);
  });

  it('--name matches the whole name against a glob; every filter given must hold', () => {
    expect(['shop-1', 'shop-22', 'xshop-1', 'shop', 'web.a', 'webxa', 'b7'].filter((n) => globPattern('shop-*').test(n))).toEqual(['shop-1', 'shop-22']);
    expect(globPattern('web.?').test('web.a')).toBe(true);
    expect(globPattern('web.?').test('webxa')).toBe(false);
    expect(globPattern('[ab][!0-4]').test('b7')).toBe(true);
    expect(globPattern('[ab][!0-4]').test('b3')).toBe(false);
    expect(passesFilters({ status: { ...status({ last: { result: 'failed' } }), name: 'shop-1' } }, { failing: true, name: globPattern('web*') }, NOW)).toBe(false);
  });
});
