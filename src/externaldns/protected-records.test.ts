import { describe, expect, it } from 'vitest';
import { isAcmeChallengeName, refusalReason } from './protected-records.js';

describe('refusalReason', () => {
  it('refuses the apex NS and SOA only', () => {
    expect(refusalReason('example.com', 'NS', 'example.com', false)).toBe('zone_apex');
    expect(refusalReason('example.com', 'SOA', 'example.com', true)).toBe('zone_apex');
    expect(refusalReason('sub.example.com', 'NS', 'example.com', false)).toBeUndefined();
    expect(refusalReason('example.com', 'A', 'example.com', false)).toBeUndefined();
    expect(refusalReason('example.com', 'TXT', 'example.com', false)).toBeUndefined();
  });

  it('refuses any record type at an _acme-challenge label unless allowed', () => {
    for (const type of ['TXT', 'CNAME', 'NS']) expect(refusalReason('_acme-challenge.www.example.com', type, 'example.com', false)).toBe('acme_challenge');
    expect(refusalReason('_acme-challenge.www.example.com', 'TXT', 'example.com', true)).toBeUndefined();
    expect(refusalReason('www.example.com', 'TXT', 'example.com', false)).toBeUndefined();
  });
});

describe('isAcmeChallengeName', () => {
  it('matches a label that starts with _acme-challenge anywhere in the name', () => {
    expect(isAcmeChallengeName('_acme-challenge.example.com')).toBe(true);
    expect(isAcmeChallengeName('x._acme-challenge.example.com')).toBe(true);
    expect(isAcmeChallengeName('_acme-challenge-1.example.com')).toBe(true);
    expect(isAcmeChallengeName('a-_acme-challenge.example.com')).toBe(false);
    expect(isAcmeChallengeName('acme-challenge.example.com')).toBe(false);
  });
});
