import { describe, expect, it } from 'vitest';
import { checkEndpoint, compileFilter, parseChanges } from './endpoint.js';

describe('checkEndpoint', () => {
  const ep = (more: Record<string, unknown>) => ({ dnsName: 'www.example.com', recordType: 'A', targets: ['192.0.2.1'], ...more });

  it('TTL: 0 (the default) to 2147483647, whole numbers', () => {
    for (const recordTTL of [0, 1, 300, 2_147_483_647]) expect(checkEndpoint(ep({ recordTTL }), 'create[0]').recordTTL).toBe(recordTTL);
    for (const recordTTL of [-1, 1.5, 2_147_483_648, 1e15, '300']) {
      expect(() => checkEndpoint(ep({ recordTTL }), 'create[0]')).toThrow(/^create\[0\]\.recordTTL: expected a whole number of seconds from 1 to 2147483647/);
    }
  });

  it('TTL: a lower provider maximum', () => {
    expect(() => checkEndpoint(ep({ recordTTL: 86_401 }), 'x', 86_400)).toThrow('x.recordTTL: expected a whole number of seconds from 1 to 86400 (or 0 for the default), got 86401');
  });

  it('TTL: bounded where it is written (create, updateNew), not where it describes a record as it is', () => {
    const huge = ep({ recordTTL: 1e15 });
    expect(() => parseChanges({ updateOld: [huge], updateNew: [huge] })).toThrow(/^updateNew\[0\]\.recordTTL: /);
    expect(parseChanges({ delete: [huge], updateOld: [huge], updateNew: [ep({ recordTTL: 300 })] }).delete[0]!.recordTTL).toBe(1e15);
  });

  it('names the field of a bad name or type', () => {
    expect(() => checkEndpoint(ep({ dnsName: 'a'.repeat(300) }), 'delete[2]')).toThrow('delete[2].dnsName: expected a DNS name of at most 253 characters, got 300');
    expect(() => checkEndpoint(ep({ recordType: 'A'.repeat(17) }), 'x')).toThrow('x.recordType: expected a record type such as A or TXT');
    expect(() => parseChanges({ Create: [ep({ dnsName: 'a b' })] })).toThrow(/^create\[0\]\.dnsName: label "a b"/);
  });
});

describe('compileFilter', () => {
  it('include/exclude by domain', () => {
    const m = compileFilter({ include: ['Example.com.'], exclude: ['internal.example.com'] });
    expect(m('www.example.com')).toBe(true);
    expect(m('example.com')).toBe(true);
    expect(m('x.internal.example.com')).toBe(false);
    expect(m('badexample.com')).toBe(false);
  });

  it('regex include/exclude, and an invalid pattern throws at once', () => {
    const m = compileFilter({ regexInclude: '\\.example\\.com$', regexExclude: '^internal\\.' });
    expect(m('WWW.example.com.')).toBe(true);
    expect(m('internal.example.com')).toBe(false);
    expect(() => compileFilter({ regexExclude: '(' })).toThrow(SyntaxError);
  });
});
