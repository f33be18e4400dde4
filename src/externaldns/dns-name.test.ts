import { describe, expect, it } from 'vitest';
import { dnsNameProblem } from './dns-name.js';

describe('dnsNameProblem', () => {
  it('accepts host names, service and ownership labels, a leading wildcard and a trailing dot', () => {
    for (const name of ['www.example.com', 'Example.COM.', '_sip._tcp.example.com', 'a-www.example.com', '*.example.com', 'x', `${'a'.repeat(63)}.example.com`]) {
      expect(dnsNameProblem(name)).toBeUndefined();
    }
  });

  it('253 characters pass, 254 do not (the trailing dot not counted)', () => {
    const name = (n: number) => `${'a.'.repeat((n - 1) / 2)}b`;
    expect(name(253)).toHaveLength(253);
    expect(dnsNameProblem(name(253))).toBeUndefined();
    expect(dnsNameProblem(`${name(253)}.`)).toBeUndefined();
    expect(dnsNameProblem(`${name(253)}cc`)).toBe('expected a DNS name of at most 253 characters, got 255');
  });

  it('says what is wrong with a label', () => {
    expect(dnsNameProblem(`${'a'.repeat(64)}.example.com`)).toBe('label 1 has 64 characters, more than 63');
    expect(dnsNameProblem('www..example.com')).toMatch(/empty label/);
    expect(dnsNameProblem('.')).toBe('expected a DNS name, got an empty one');
    expect(dnsNameProblem('www.*.example.com')).toMatch(/label "\*" may only hold letters, digits, - and _/);
    expect(dnsNameProblem('exa mple.com')).toMatch(/may only hold/);
    expect(dnsNameProblem('example\\.com')).toMatch(/may only hold/);
    expect(dnsNameProblem('bücher.example')).toMatch(/may only hold/);
  });
});
