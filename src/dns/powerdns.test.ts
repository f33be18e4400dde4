import { describe, expect, it } from 'vitest';
import { quoteTxt, unquoteTxt } from './txt-presentation.js';

describe('TXT presentation format', () => {
  it('round-trips values with quotes and backslashes', () => {
    for (const v of ['abc', 'heritage=external-dns,external-dns/owner=x', 'with "quotes"', 'back\\slash']) {
      expect(unquoteTxt(quoteTxt(v))).toBe(v);
    }
    expect(quoteTxt('a"b')).toBe('"a\\"b"');
    expect(unquoteTxt('"part1" "part2"')).toBe('part1part2');
  });
});
