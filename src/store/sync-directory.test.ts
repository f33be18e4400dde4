import fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { syncDirectory } from './sync-directory.js';

/** fs.fsync held until released by the test, each call logged with what happened before it. */
function heldFsyncs(log: string[]) {
  const pending: { fd: number; done: (err: Error | null) => void }[] = [];
  vi.spyOn(fs, 'fsync').mockImplementation(((fd: number, cb: (err: Error | null) => void) => {
    log.push('fsync');
    pending.push({ fd, done: cb });
  }));
  return {
    count: () => pending.length,
    /** Ends the oldest held fsync, with `err` if given, and lets its callbacks run. */
    async end(err: Error | null = null) {
      pending.shift()!.done(err);
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
  };
}

describe('syncDirectory', () => {
  afterEach(() => { vi.restoreAllMocks(); });
  const dir = () => mkdtempSync(path.join(tmpdir(), 'certfleet-sync-'));

  it('gives callers that come while a sync runs one sync that starts after them', async () => {
    const log: string[] = [];
    const held = heldFsyncs(log);
    const d = dir();
    const done: string[] = [];
    const call = (who: string) => { log.push(who); return syncDirectory(d).then(() => { done.push(who); }); };
    const a = call('a');
    const b = call('b');
    const c = call('c');
    await Promise.resolve();
    // a's sync runs; b and c wait, and nothing has started for them yet.
    expect(log).toEqual(['a', 'fsync', 'b', 'c']);
    await held.end();
    await a;
    expect(done).toEqual(['a']);
    expect(log).toEqual(['a', 'fsync', 'b', 'c', 'fsync']);
    const late = call('late');
    await held.end();
    await Promise.all([b, c]);
    expect(done).toEqual(['a', 'b', 'c']);
    // late came while b and c's sync ran: it gets one of its own, after.
    expect(log).toEqual(['a', 'fsync', 'b', 'c', 'fsync', 'late', 'fsync']);
    await held.end();
    await late;
    // Nothing runs any more: the next caller's sync starts at once.
    void call('alone');
    await Promise.resolve();
    expect(log.slice(-2)).toEqual(['alone', 'fsync']);
    await held.end();
    expect(held.count()).toBe(0);
  });

  it('fails only the callers of the sync that failed', async () => {
    const held = heldFsyncs([]);
    const d = dir();
    const a = syncDirectory(d);
    const b = syncDirectory(d);
    const c = syncDirectory(d);
    const aFailed = expect(a).rejects.toThrow('EIO');
    await held.end(Object.assign(new Error('EIO'), { code: 'EIO' }));
    await aFailed;
    // b and c waited for a sync of their own, which is not a's.
    expect(held.count()).toBe(1);
    const bcFailed = Promise.all([expect(b).rejects.toThrow('second'), expect(c).rejects.toThrow('second')]);
    await held.end(new Error('second'));
    await bcFailed;
    // A failure leaves nothing behind: the next caller's sync starts at once.
    const next = syncDirectory(d);
    await Promise.resolve();
    expect(held.count()).toBe(1);
    await held.end();
    await next;
  });

  it('keeps directories apart', async () => {
    const log: string[] = [];
    const held = heldFsyncs(log);
    const one = syncDirectory(dir());
    const two = syncDirectory(dir());
    await Promise.resolve();
    expect(held.count()).toBe(2);
    await held.end();
    await held.end();
    await Promise.all([one, two]);
  });

  it('syncs a real directory, and names a missing one in its error', async () => {
    const d = dir();
    await expect(syncDirectory(d)).resolves.toBeUndefined();
    await expect(syncDirectory(path.join(d, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
