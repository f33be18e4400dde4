import { describe, expect, it } from 'vitest';
import { foundIn, missingFrom, recordKey, recordsOf, rrsetsOf } from './rrset.js';

const rec = (name: string, type: string, data: string, ttl = 60) => ({ name, type, data, ttl });

describe('rrsetsOf / recordsOf', () => {
  it('groups by absolute name and type, quotes TXT, keeps the first TTL, and back', () => {
    const records = [rec('@', 'MX', '10 mail.example.test', 300), rec('WWW', 'A', '192.0.2.1'), rec('www', 'A', '192.0.2.2', 999), rec('www', 'A', '192.0.2.1'), rec('a-www', 'TXT', 'say "hi"')];
    const sets = rrsetsOf('Example.Test.', records);
    expect(sets).toEqual([
      { name: 'example.test', type: 'MX', ttl: 300, values: ['10 mail.example.test'] },
      { name: 'www.example.test', type: 'A', ttl: 60, values: ['192.0.2.1', '192.0.2.2'] },
      { name: 'a-www.example.test', type: 'TXT', ttl: 60, values: ['"say \\"hi\\""'] },
    ]);
    expect(recordsOf('example.test', sets)).toEqual([rec('@', 'MX', '10 mail.example.test', 300), rec('www', 'A', '192.0.2.1'), rec('www', 'A', '192.0.2.2'), rec('a-www', 'TXT', 'say "hi"')]);
  });
});

describe('missingFrom / foundIn', () => {
  it('compare by absolute name (any case), type and data; each value once', () => {
    const present = new Set([recordKey('example.test', rec('_acme-challenge', 'TXT', 'old'))]);
    const asked = [rec('_ACME-challenge', 'TXT', 'old'), rec('_acme-challenge', 'TXT', 'new'), rec('_acme-challenge', 'TXT', 'new')];
    expect(missingFrom('example.test.', asked, present)).toEqual([rec('_acme-challenge', 'TXT', 'new')]);
    expect(foundIn('example.test', [...asked, asked[0]!], present)).toEqual([rec('_ACME-challenge', 'TXT', 'old')]);
  });
});
