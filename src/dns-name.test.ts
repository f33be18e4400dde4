import { describe, expect, it } from 'vitest';
import { absoluteName, canonicalName, isInZone, relativeName, withTrailingDot, withoutTrailingDot } from './dns-name.js';

describe('dns-name', () => {
  it('converts between the spellings of one name', () => {
    expect(canonicalName('WWW.Example.TEST.')).toBe('www.example.test');
    expect(withoutTrailingDot('Example.test.')).toBe('Example.test');
    expect(withTrailingDot('example.test')).toBe('example.test.');
    expect(withTrailingDot('example.test.')).toBe('example.test.');
  });
  it('relative and absolute names, the apex as @', () => {
    expect(relativeName('_acme-challenge.WWW.example.test.', 'example.test')).toBe('_acme-challenge.www');
    expect(relativeName('example.test', 'Example.Test.')).toBe('@');
    expect(() => relativeName('example.org', 'example.test')).toThrow(/not inside zone/);
    expect(() => relativeName('badexample.test', 'example.test')).toThrow(/not inside zone/);
    expect(absoluteName('@', 'example.test.')).toBe('example.test');
    expect(absoluteName('www', 'example.test')).toBe('www.example.test');
  });
  it('zone membership by whole labels', () => {
    expect(isInZone('a.example.test.', 'EXAMPLE.test')).toBe(true);
    expect(isInZone('badexample.test', 'example.test')).toBe(false);
  });
});
