import { describe, expect, it } from 'vitest';
import { followCnames, providerFor } from './cname-chain.js';
import type { DnsLookup } from './dns-lookup.js';

const lookupOf = (cnames: Record<string, string>): DnsLookup => ({
  soa: () => Promise.resolve(false), ns: () => Promise.resolve([]), addresses: () => Promise.resolve([]), txtAt: () => Promise.resolve([]),
  cname: (name) => Promise.resolve(cnames[name]),
});
const s = () => AbortSignal.timeout(1000);

describe('followCnames', () => {
  it('stays put without a CNAME, follows a chain to its end', async () => {
    expect(await followCnames(lookupOf({}), '_acme-challenge.a.test', s())).toEqual({ target: '_acme-challenge.a.test', chain: ['_acme-challenge.a.test'] });
    const l = lookupOf({ '_acme-challenge.a.test': 'x.b.test.', 'x.b.test': 'y.c.test' });
    expect(await followCnames(l, '_acme-challenge.a.test.', s())).toEqual({ target: 'y.c.test', chain: ['_acme-challenge.a.test', 'x.b.test', 'y.c.test'] });
  });

  it('reports loops and over-long chains with the chain', async () => {
    await expect(followCnames(lookupOf({ 'a.test': 'b.test', 'b.test': 'a.test' }), 'a.test', s())).rejects.toMatchObject({ code: 'DNS_CNAME', message: 'CNAME loop at a.test: a.test -> b.test -> a.test' });
    const long = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`n${i}.test`, `n${i + 1}.test`]));
    await expect(followCnames(lookupOf(long), 'n0.test', s())).rejects.toMatchObject({ code: 'DNS_CNAME', message: expect.stringMatching(/longer than 10 hops/) });
  });
});

describe('providerFor', () => {
  it('routes by the longest matching suffix on label boundaries', () => {
    const map = { 'example.com': 'main', 'lab.example.com': 'lab', '*.acme.example.net': 'acme' };
    expect(providerFor('home', 'anything.test')).toBe('home');
    expect(providerFor(map, '_acme-challenge.www.example.com')).toBe('main');
    expect(providerFor(map, '_acme-challenge.x.lab.example.com')).toBe('lab');
    expect(providerFor(map, 'lab.example.com')).toBe('lab');
    expect(providerFor(map, 'd1.acme.example.net.')).toBe('acme');
    expect(providerFor(map, 'notexample.com')).toBeUndefined();
  });
});
