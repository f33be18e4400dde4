import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
