import { describe, expect, it } from 'vitest';
import { daemonRelaunchEnv, daemonRuntimeFlags } from './daemon-runtime.js';

describe('daemonRelaunchEnv', () => {
  it('asks a daemon for a small young generation and two malloc arenas, keeping the rest of the environment', () => {
    expect(daemonRelaunchEnv('run', { PATH: '/bin', LANG: 'C' })).toEqual({ PATH: '/bin', LANG: 'C', NODE_OPTIONS: '--max-semi-space-size=2', MALLOC_ARENA_MAX: '2' });
    expect(daemonRelaunchEnv('webhook', { NODE_OPTIONS: '--max-old-space-size=512' })).toEqual({ NODE_OPTIONS: '--max-old-space-size=512 --max-semi-space-size=2', MALLOC_ARENA_MAX: '2' });
  });

  it('keeps what the user set', () => {
    expect(daemonRelaunchEnv('run', { MALLOC_ARENA_MAX: '4' })).toEqual({ MALLOC_ARENA_MAX: '4', NODE_OPTIONS: '--max-semi-space-size=2' });
    expect(daemonRelaunchEnv('run', { NODE_OPTIONS: '--max-semi-space-size=8' })).toEqual({ NODE_OPTIONS: '--max-semi-space-size=8', MALLOC_ARENA_MAX: '2' });
  });

  it('is undefined once the process has both (no second start), and for every other command', () => {
    const relaunched = daemonRelaunchEnv('run', {})!;
    expect(daemonRelaunchEnv('run', relaunched)).toBeUndefined();
    for (const command of ['issue', 'list', 'version', undefined]) expect(daemonRelaunchEnv(command, {})).toBeUndefined();
  });
});

describe('daemonRuntimeFlags', () => {
  it('turns the optimizing compilers off for run only', () => {
    expect(daemonRuntimeFlags('run')).toBe('--no-maglev --no-turbofan');
    expect(daemonRuntimeFlags('webhook')).toBeUndefined();
    expect(daemonRuntimeFlags('issue')).toBeUndefined();
  });
});
