import { describe, expect, it } from 'vitest';
import { substituteEnv } from './env-substitution.js';

const env = { CERTFLEET_A: 'alpha', CERTFLEET_EMPTY: '', HOME: '/root' };
const sub = (s: string) => substituteEnv(s, env, ['CERTFLEET_']);

describe('substituteEnv', () => {
  it('replaces variables, defaults and escapes', () => {
    expect(sub('x-${CERTFLEET_A}-y')).toEqual({ value: 'x-alpha-y', used: true });
    expect(sub('${CERTFLEET_NOPE:-fallback}')).toEqual({ value: 'fallback', used: true });
    expect(sub('${CERTFLEET_EMPTY:-fallback}')).toEqual({ value: 'fallback', used: true });
    expect(sub('${CERTFLEET_A:-fallback}')).toEqual({ value: 'alpha', used: true });
    expect(sub('${CERTFLEET_NOPE:-}')).toEqual({ value: '', used: true });
    expect(sub('$${CERTFLEET_A} and $$ and $x')).toEqual({ value: '${CERTFLEET_A} and $$ and $x', used: true });
    expect(sub('plain')).toEqual({ value: 'plain', used: false });
    expect(sub('${CERTFLEET_A}${CERTFLEET_A}')).toEqual({ value: 'alphaalpha', used: true });
    expect(sub('${CERTFLEET_NOPE:-a:b}')).toEqual({ value: 'a:b', used: true });
  });

  it('fails on missing, required, disallowed and malformed variables', () => {
    expect(sub('${CERTFLEET_NOPE}')).toEqual({ error: expect.stringMatching(/CERTFLEET_NOPE is not set/) });
    expect(sub('${CERTFLEET_NOPE:?set the EAB key}')).toEqual({ error: 'CERTFLEET_NOPE: set the EAB key' });
    expect(sub('${CERTFLEET_EMPTY:?}')).toEqual({ error: expect.stringMatching(/CERTFLEET_EMPTY: required/) });
    expect(sub('${HOME}')).toEqual({ error: expect.stringMatching(/HOME is not allowed.*"CERTFLEET_"/) });
    expect(sub('${CERTFLEET_A')).toEqual({ error: expect.stringMatching(/unterminated/) });
    expect(sub('${}')).toEqual({ error: expect.stringMatching(/invalid variable name ""/) });
    expect(sub('${1X}')).toEqual({ error: expect.stringMatching(/invalid variable name "1X"/) });
  });

  it('for a secret, a missing variable is answered with the variable or <option>_file, never a default', () => {
    const r = substituteEnv('${CERTFLEET_NOPE}', env, ['CERTFLEET_'], 'api_key');
    expect(r).toEqual({ error: 'variable CERTFLEET_NOPE is not set: set it in certfleet\'s environment, or give the secret as api_key_file: PATH (a file holding it)' });
  });

  it('never reads a variable outside the prefixes, whatever the default', () => {
    expect(substituteEnv('${HOME:-x}', env, ['CERTFLEET_', 'MY_'])).toEqual({ error: expect.stringMatching(/"CERTFLEET_" or "MY_"/) });
    expect(substituteEnv('${HOME}', env, ['HO'])).toEqual({ value: '/root', used: true });
  });
});
