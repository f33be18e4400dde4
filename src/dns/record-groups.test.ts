import { describe, expect, it } from 'vitest';
import { recordsByRRset } from './record-groups.js';

describe('recordsByRRset', () => {
  it('groups by the absolute name: the apex spelt @ or empty, in any case, is one RRset', () => {
    const rec = (name: string, data: string) => ({ name, type: 'TXT', data, ttl: 60 });
    expect(recordsByRRset('example.com', [rec('@', 'a'), rec('', 'b'), rec('WWW', 'c'), rec('www', 'd')]))
      .toEqual([[rec('@', 'a'), rec('', 'b')], [rec('WWW', 'c'), rec('www', 'd')]]);
  });
});
