import { describe, expect, it } from 'vitest';
import { childEnv } from './child-env.js';

describe('childEnv', () => {
  const from = { PATH: '/usr/bin', HOME: '/home/c', LANG: 'C.UTF-8', TZ: 'UTC', CERTFLEET_STORE_KEY: 'k', CERTFLEET_PDNS_API_KEY: 'p', AWS_SECRET_ACCESS_KEY: 'a', WANTED: 'w' };

  it('inherits only the allow-list (the ones that are set)', () => {
    expect(childEnv({ from })).toEqual({ PATH: '/usr/bin', HOME: '/home/c', LANG: 'C.UTF-8', TZ: 'UTC' });
  });

  it('adds pass_env names (a missing one is simply absent), then env, then the documented variables, which win', () => {
    expect(childEnv({ from, passEnv: ['WANTED', 'NOT_SET'], env: { EXTRA: '1', CERTFLEET_EVENT: 'fake' }, own: { CERTFLEET_EVENT: 'renewed' } }))
      .toEqual({ PATH: '/usr/bin', HOME: '/home/c', LANG: 'C.UTF-8', TZ: 'UTC', WANTED: 'w', EXTRA: '1', CERTFLEET_EVENT: 'renewed' });
  });
});
