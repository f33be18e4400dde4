import { describe, expect, it } from 'vitest';
import { renewalDue } from './renewal-due.js';

const day = 86_400_000;
const meta = (days: number) => ({
  name: 'w', domains: ['a.test'], keyType: 'ecdsa-p256', notBefore: new Date(0).toISOString(), notAfter: new Date(days * day).toISOString(),
  issuer: '', serial: '', account: '', orderUrl: '', version: 1, issuedAt: '',
});
const want = { domains: ['a.test'], keyType: 'ecdsa-p256' };

describe('renewalDue', () => {
  it('renews when a third of a 90-day lifetime remains', () => {
    expect(renewalDue(meta(90), want, 59 * day).due).toBe(false);
    expect(renewalDue(meta(90), want, 60 * day).due).toBe(true);
  });
  it('renews short-lived certificates at half their lifetime', () => {
    expect(renewalDue(meta(6), want, 2.9 * day).due).toBe(false);
    expect(renewalDue(meta(6), want, 3 * day).due).toBe(true);
  });
  it('renews when there is none, or domains or key type changed', () => {
    expect(renewalDue(undefined, want).reason).toBe('no certificate yet');
    expect(renewalDue(meta(90), { ...want, domains: ['b.test'] }, 0).reason).toBe('domains changed');
    expect(renewalDue(meta(90), { ...want, keyType: 'rsa-2048' }, 0).reason).toBe('key type changed');
  });
});
