import { describe, expect, it } from 'vitest';
import { closestName, didYouMean, editDistance } from './closest-name.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('auth_tokn', 'auth_token')).toBe(1);
    expect(editDistance('powerdsn', 'powerdns')).toBe(2);
  });
});

describe('closestName', () => {
  const providers = ['cloudflare', 'cloudns', 'powerdns', 'route53', 'ovh'];
  it('names the nearest candidate within a typo\'s reach', () => {
    expect(closestName('powerdsn', providers)).toBe('powerdns');
    expect(closestName('cloudflar', providers)).toBe('cloudflare');
    expect(closestName('ohv', providers)).toBe('ovh');
  });
  it('names nothing when every candidate is another name altogether', () => {
    expect(closestName('namecheap', providers)).toBeUndefined();
    expect(didYouMean('namecheap', providers)).toBe('');
  });
  it('formats the hint', () => {
    expect(didYouMean('auth_tokn', ['auth_username', 'auth_token'])).toBe(' (did you mean "auth_token"?)');
  });
});
