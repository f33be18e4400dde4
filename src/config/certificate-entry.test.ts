import { describe, expect, it } from 'vitest';
import { configProblems, MINIMAL_CONFIG } from '../../test/support/config-problems.js';
import { validateCertificateEntry } from './certificate-entry.js';
import { parseConfig } from './load-config.js';

const config = parseConfig(MINIMAL_CONFIG, 'c.yaml', { env: {} });

/** What the config file says about `entry` as its one certificate (JSON is YAML), paths relative to the entry. */
function fileProblems(entry: unknown): { path: string; message: string }[] {
  const text = MINIMAL_CONFIG.replace(/certificates:[\s\S]*$/, `certificates:\n  - ${JSON.stringify(entry)}\n`);
  return configProblems(text, { env: {} }).map((p) => {
    const m = /^\d+:\d+ certificates\[0\]\.?([^:]*): (.*)$/.exec(p)!;
    return { path: m[1]!, message: m[2]! };
  });
}

describe('validateCertificateEntry', () => {
  it('accepts an entry the file accepts, with the file\'s defaults and derived name', () => {
    const r = validateCertificateEntry({ domains: ['Shop.Example.test'], dns: 'home' }, config);
    expect(r).toMatchObject({ ok: true, name: 'shop.example.test', certificate: { name: 'shop.example.test', key_type: 'ecdsa-p256', domains: ['shop.example.test'] } });
  });

  it.each([
    ['an unknown key (did you mean)', { domains: ['a.example.test'], dns: 'home', key_typ: 'rsa-2048' }],
    ['a bad domain', { domains: ['a.example.test', 'not a domain'], dns: 'home' }],
    ['an unknown provider (did you mean)', { domains: ['a.example.test'], dns: 'hme' }],
    ['a missing field', { domains: ['a.example.test'] }],
    ['a bad name', { name: '../etc', domains: ['a.example.test'], dns: 'home' }],
    ['a wrong type', { domains: 'a.example.test', dns: 'home', reuse_key: 'yes' }],
  ])('gives the file\'s problems for %s, at the entry\'s field path', (_what, entry) => {
    const r = validateCertificateEntry(entry, config);
    expect(r.ok).toBe(false);
    const expected = fileProblems(entry);
    expect(expected.length).toBeGreaterThan(0);
    expect(r.ok ? [] : r.problems).toEqual(expect.arrayContaining(expected));
    expect(r.ok ? 0 : r.problems.length).toBe(expected.length);
  });

  it('names the key it suggests', () => {
    const r = validateCertificateEntry({ domains: ['a.example.test'], dns: 'home', key_typ: 'rsa-2048' }, config);
    expect(r.ok ? [] : r.problems).toEqual([{ path: '', message: 'unknown key "key_typ" (did you mean "key_type"?)' }]);
  });

  it('refuses deploy actions and secrets, which the API must not store or run', () => {
    const r = validateCertificateEntry({ domains: ['a.example.test'], dns: 'home', deploy: [{ hook: ['/bin/sh', '-c', 'id'] }] }, config);
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['deploy']);
    const s = validateCertificateEntry({ domains: ['a.example.test'], dns: 'home', extra: { api_key: 'x' } }, config);
    expect(s.ok ? [] : s.problems.map((p) => p.path)).toContain('extra.api_key');
  });

  it('refuses what is not an object', () => {
    expect(validateCertificateEntry(['a'], config)).toMatchObject({ ok: false, problems: [{ path: '' }] });
  });
});
