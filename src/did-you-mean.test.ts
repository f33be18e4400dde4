import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanHint, editDistance } from './did-you-mean.js';

describe('didYouMean', () => {
  it('finds typos: a missing letter, a swap, a wrong letter', () => {
    expect(didYouMean('isue', ['issue', 'list', 'run'])).toBe('issue');
    expect(didYouMean('lsit', ['issue', 'list', 'run'])).toBe('list');
    expect(didYouMean('cloudflair', ['cloudflare', 'powerdns'])).toBe('cloudflare');
    expect(didYouMean('follow_cname', ['follow_cnames', 'key_type'])).toBe('follow_cnames');
    expect(didYouMean('powerdsn', ['cloudflare', 'powerdns', 'ovh'])).toBe('powerdns');
    expect(didYouMean('ohv', ['cloudflare', 'powerdns', 'ovh'])).toBe('ovh');
    expect(didYouMean('namecheap', ['cloudflare', 'powerdns', 'ovh'])).toBeUndefined();
  });

  it('says nothing for another word, an exact match or no candidates', () => {
    expect(didYouMean('run', ['list', 'issue'])).toBeUndefined();
    expect(didYouMean('issue', ['issue'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
    expect(didYouMeanHint('zzzzzz', ['issue'])).toBe('');
    expect(didYouMeanHint('isue', ['issue'])).toBe(' (did you mean "issue"?)');
  });

  it('counts a transposition as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
