import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';

describe('KeyedMutex', () => {
  it('runs work for one key one at a time, in order, and other keys concurrently', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const step = (tag: string, ms: number) => m.run(tag[0]!, async () => {
      log.push(`start ${tag}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${tag}`);
    });
    await Promise.all([step('a1', 20), step('a2', 1), step('b1', 5)]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('releases the key when the work throws', async () => {
    const m = new KeyedMutex();
    await expect(m.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(m.run('k', () => Promise.resolve(1))).resolves.toBe(1);
  });
});

describe('KeyedMutex.acquire', () => {
  it('holds a key until released; a waiter whose signal aborts leaves the queue without breaking it', async () => {
    const m = new KeyedMutex();
    const first = await m.acquire('k');
    const controller = new AbortController();
    const impatient = m.acquire('k', controller.signal);
    let third = false;
    const patient = m.acquire('k').then((release) => { third = true; return release; });
    controller.abort(new Error('gave up'));
    await expect(impatient).rejects.toThrow('gave up');
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false); // still behind the first holder
    first();
    (await patient)();
    await expect(m.run('k', () => Promise.resolve('free'))).resolves.toBe('free');
  });
});
