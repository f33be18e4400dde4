import { describe, expect, it } from 'vitest';
import { challengeName, normalizeDomain } from './domain-name.js';

describe('normalizeDomain', () => {
  it('lower-cases and strips a trailing dot', () => {
    expect(normalizeDomain('WWW.Example.TEST.')).toBe('www.example.test');
    expect(normalizeDomain('*.example.test')).toBe('*.example.test');
  });
  it.each([
    ['', /empty/],
    ['a..b.test', /empty label/],
    [`${'a'.repeat(64)}.test`, /longer than 63/],
    [`${'abcdefghi.'.repeat(26)}test`, /longer than 253/],
    ['foo_bar.test', /letters, digits/],
    ['-foo.test', /letters, digits/],
    ['www.*.example.test', /leftmost/],
    ['f*o.example.test', /whole label/],
    ['localhost', /two labels/],
  ])('rejects %j', (input, why) => {
    expect(() => normalizeDomain(input)).toThrow(why);
  });
});

describe('challengeName', () => {
  it('shares one name between an apex and its wildcard', () => {
    expect(challengeName('*.example.test')).toBe('_acme-challenge.example.test');
    expect(challengeName('example.test')).toBe('_acme-challenge.example.test');
  });
});
