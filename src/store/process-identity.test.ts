import { spawnSync } from 'node:child_process';
import { promises, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentProcess, formatIdentity, parseIdentity, processState, startTimeOf } from './process-identity.js';

describe('process identity', () => {
  it('reads the start time (field 22) even when the command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // field numbers after the name
    expect(startTimeOf(`4242 (a) (b c) ${fields.join(' ')}`)).toBe(22);
    expect(startTimeOf(readFileSync('/proc/self/stat', 'utf8'))).toBe(currentProcess().start);
  });

  it('round-trips through its text form and rejects anything else', () => {
    expect(parseIdentity(formatIdentity(currentProcess()))).toEqual(currentProcess());
    expect(parseIdentity('12-34-nothex')).toBeUndefined();
  });

  it('a process that exits while its /proc entry is read (ESRCH) is dead, not an error', async () => {
    const dead = { ...currentProcess(), pid: spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid };
    const original = promises.readFile;
    promises.readFile = (() => Promise.reject(Object.assign(new Error('ESRCH: no such process, read'), { code: 'ESRCH' })));
    try {
      expect(await processState(dead, AbortSignal.timeout(1000))).toBe('dead');
    } finally {
      promises.readFile = original;
    }
  });

  it('tells this live process from a dead PID, a reused PID and another host', async () => {
    const signal = AbortSignal.timeout(1000);
    const me = currentProcess();
    const dead = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid;
    expect(await processState(me, signal)).toBe('alive');
    expect(await processState({ ...me, pid: dead }, signal)).toBe('dead');
    expect(await processState({ ...me, start: me.start + 1 }, signal)).toBe('dead');
    expect(await processState({ ...me, host: '000000000000' }, signal)).toBe('unknown');
  });
});
