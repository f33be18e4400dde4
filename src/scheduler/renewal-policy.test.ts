import { describe, expect, it } from 'vitest';
import { ariCheckTime, decideRenewal, recordAriFailure, emergencyStart, recordAri, recordFailure, recordSuccess, renewalTime, EMPTY_STATE, type CertificateFacts } from './renewal-policy.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const cert = (days: number, serial = 'aa'): CertificateFacts => ({ domains: ['a.test', '*.a.test'], keyType: 'ecdsa-p256', notBefore: iso(T0), notAfter: iso(T0 + days * DAY), serial });
const wanted = { domains: ['*.a.test', 'a.test'], keyType: 'ecdsa-p256' };

describe('decideRenewal without ARI', () => {
  it('issues when there is no certificate or the spec changed', () => {
    expect(decideRenewal(undefined, wanted, EMPTY_STATE, T0)).toEqual({ due: true, reason: 'no certificate yet' });
    expect(decideRenewal(cert(90), { ...wanted, domains: ['a.test'] }, EMPTY_STATE, T0)).toMatchObject({ due: true, reason: 'domains changed' });
    expect(decideRenewal(cert(90), { ...wanted, keyType: 'rsa-2048' }, EMPTY_STATE, T0)).toMatchObject({ due: true, reason: 'key type changed' });
    const one = { ...cert(90), domains: ['a.test'] };
    expect(decideRenewal(one, { ...wanted, domains: ['b.test'] }, EMPTY_STATE, T0)).toMatchObject({ due: true, reason: 'domains changed' });
    expect(decideRenewal(one, { ...wanted, domains: ['a.test'] }, EMPTY_STATE, T0)).toMatchObject({ due: false });
    const staging = { ...cert(90), directory: 'https://acme-staging-v02.api.letsencrypt.org/directory' };
    expect(decideRenewal(staging, { ...wanted, directory: 'https://acme-v02.api.letsencrypt.org/directory' }, EMPTY_STATE, T0)).toMatchObject({ due: true, reason: 'CA changed' });
    expect(decideRenewal(staging, { ...wanted, directory: staging.directory }, EMPTY_STATE, T0)).toMatchObject({ due: false });
    // Metadata from before the field: no opinion.
    expect(decideRenewal(cert(90), { ...wanted, directory: 'https://x/dir' }, EMPTY_STATE, T0)).toMatchObject({ due: false });
  });

  it('renews at a third of the lifetime left, or half under ten days', () => {
    expect(decideRenewal(cert(90), wanted, EMPTY_STATE, T0 + 59 * DAY)).toEqual({ due: false, at: T0 + 60 * DAY, reason: expect.stringMatching(/a third/) });
    expect(decideRenewal(cert(90), wanted, EMPTY_STATE, T0 + 60 * DAY)).toMatchObject({ due: true });
    expect(renewalTime(cert(6), undefined).at).toBe(T0 + 3 * DAY);
    expect(renewalTime(cert(45), undefined).at).toBe(T0 + 30 * DAY);
  });
});

describe('failure backoff', () => {
  it('climbs 1 min, 10 min, 100 min, then daily, with jitter within ±10 %', () => {
    let s = EMPTY_STATE;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      s = recordFailure(s, cert(90), 'boom', T0, () => 0.5);
      delays.push(Date.parse(s.nextAttempt!) - T0);
    }
    expect(delays).toEqual([60_000, 600_000, 6_000_000, DAY, DAY]);
    expect(s).toMatchObject({ failures: 5, lastResult: 'failed', lastError: 'boom' });
    expect(Date.parse(recordFailure(EMPTY_STATE, undefined, 'x', T0, () => 0).nextAttempt!) - T0).toBe(54_000);
    expect(Date.parse(recordFailure(EMPTY_STATE, undefined, 'x', T0, () => 1).nextAttempt!) - T0).toBe(66_000);
  });

  it('holds even a due certificate until the retry time, and forgets failures on success', () => {
    const failed = recordFailure(EMPTY_STATE, undefined, 'boom', T0, () => 0.5);
    expect(decideRenewal(undefined, wanted, failed, T0 + 30_000)).toMatchObject({ due: false, at: T0 + 60_000 });
    expect(decideRenewal(undefined, wanted, failed, T0 + 60_000)).toMatchObject({ due: true });
    expect(recordSuccess(failed, 'issued', T0)).toEqual({ failures: 0, lastAttempt: iso(T0), lastResult: 'issued' });
  });

  it('retries at least hourly in the emergency zone near expiry', () => {
    const c = cert(90);
    expect(emergencyStart(T0, T0 + 90 * DAY)).toBe(T0 + 81 * DAY);
    let s = { ...EMPTY_STATE, failures: 7 };
    s = recordFailure(s, c, 'still failing', T0 + 85 * DAY, () => 0.5);
    expect(Date.parse(s.nextAttempt!) - (T0 + 85 * DAY)).toBe(3_600_000);
    // Expired: same.
    s = recordFailure(s, c, 'still failing', T0 + 95 * DAY, () => 0.5);
    expect(Date.parse(s.nextAttempt!) - (T0 + 95 * DAY)).toBe(3_600_000);
    // A six-day certificate's emergency zone is its last day.
    expect(emergencyStart(T0, T0 + 6 * DAY)).toBe(T0 + 5 * DAY);
  });
});

describe('ARI', () => {
  const window = { start: T0 + 40 * DAY, end: T0 + 42 * DAY, retryAfterMs: 6 * 3_600_000 };

  it('picks a random time inside the window, keeps it for the same window, picks again for a new one', () => {
    const s1 = recordAri(EMPTY_STATE, 'aa', window, T0, () => 0.25);
    expect(s1.ari).toMatchObject({ serial: 'aa', window: { chosen: iso(T0 + 40.5 * DAY) }, nextCheck: iso(T0 + 6 * 3_600_000) });
    const s2 = recordAri(s1, 'aa', window, T0 + DAY, () => 0.9);
    expect(s2.ari!.window!.chosen).toBe(s1.ari!.window!.chosen);
    const s3 = recordAri(s2, 'aa', { start: T0 + 10 * DAY, end: T0 + 11 * DAY }, T0 + DAY, () => 0);
    expect(s3.ari!.window!.chosen).toBe(iso(T0 + 10 * DAY));
    expect(decideRenewal(cert(90), wanted, s1, T0 + 40.5 * DAY - 1)).toMatchObject({ due: false, at: T0 + 40.5 * DAY, reason: expect.stringMatching(/ARI window/) });
    expect(decideRenewal(cert(90), wanted, s1, T0 + 40.5 * DAY)).toMatchObject({ due: true, reason: 'ARI window' });
  });

  it('renews at once when the window is already past (e.g. revocation announced)', () => {
    const s = recordAri(EMPTY_STATE, 'aa', { start: T0 - 2 * DAY, end: T0 - DAY }, T0, () => 0.5);
    expect(decideRenewal(cert(90), wanted, s, T0)).toMatchObject({ due: true, reason: 'ARI window' });
  });

  it('clamps Retry-After between 10 minutes and 12 hours, 6 hours by default', () => {
    const at = (ms?: number) => Date.parse(recordAri(EMPTY_STATE, 'aa', { ...window, ...(ms === undefined ? {} : { retryAfterMs: ms }) }, T0).ari!.nextCheck) - T0;
    expect([at(1000), at(7 * DAY), at(undefined), at(3_600_000)]).toEqual([600_000, 43_200_000, 21_600_000, 3_600_000]);
  });

  it('ignores a window that belongs to another serial, and never waits past the emergency zone', () => {
    const s = recordAri(EMPTY_STATE, 'old', window, T0, () => 0);
    expect(renewalTime(cert(90, 'new'), s.ari).why).toMatch(/a third/);
    expect(ariCheckTime(s, 'new')).toBe(0);
    expect(ariCheckTime(s, 'old')).toBe(T0 + 6 * 3_600_000);
    const late = recordAri(EMPTY_STATE, 'aa', { start: T0 + 89 * DAY, end: T0 + 100 * DAY }, T0, () => 0.5);
    expect(renewalTime(cert(90), late.ari).at).toBe(T0 + 81 * DAY);
    // No usable window: nothing to follow, but the CA is asked again later, not at once.
    const none = recordAri(s, 'aa', undefined, T0);
    expect(none.ari).toEqual({ serial: 'aa', nextCheck: iso(T0 + 6 * 3_600_000) });
    expect(renewalTime(cert(90), none.ari).why).toMatch(/a third/);
  });

  it('after a failed renewalInfo request keeps the known window and asks again in 10 minutes', () => {
    const s = recordAri(EMPTY_STATE, 'aa', window, T0, () => 0.5);
    const f = recordAriFailure(s, 'aa', T0 + DAY);
    expect(f.ari).toEqual({ ...s.ari, nextCheck: iso(T0 + DAY + 600_000) });
    expect(recordAriFailure(EMPTY_STATE, 'bb', T0).ari).toEqual({ serial: 'bb', nextCheck: iso(T0 + 600_000) });
  });
});

describe('the reason of a retry', () => {
  it('is "retry after failure N" once the backoff is over, whatever rule made it due', () => {
    const failed = recordFailure(recordFailure(EMPTY_STATE, undefined, 'boom', T0, () => 0.5), undefined, 'boom', T0, () => 0.5);
    const after = Date.parse(failed.nextAttempt!);
    expect(decideRenewal(undefined, wanted, failed, after)).toEqual({ due: true, reason: 'retry after failure 2' });
    expect(decideRenewal(cert(90), { ...wanted, keyType: 'rsa-2048' }, failed, after)).toEqual({ due: true, reason: 'retry after failure 2' });
    expect(decideRenewal(cert(90), wanted, failed, T0 + 61 * DAY)).toEqual({ due: true, reason: 'retry after failure 2' });
    // Not due (a forced attempt failed, the lifetime rule has time): the rule says when, not a retry.
    expect(decideRenewal(cert(90), wanted, failed, after)).toMatchObject({ due: false, reason: expect.stringMatching(/^a third of the lifetime left at /) });
    // A success forgets it.
    expect(decideRenewal(cert(90), wanted, recordSuccess(failed, 'renewed', T0), T0 + 61 * DAY)).toEqual({ due: true, reason: 'a third of the lifetime left' });
  });
});
