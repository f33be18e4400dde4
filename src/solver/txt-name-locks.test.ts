import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from '../store/file-store.js';
import { lockTxtNames } from './txt-name-locks.js';


let dir: string;
let store: FileStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-txtlock-'));
  store = new FileStore({ root: dir });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('lockTxtNames', () => {
  it('holds each name as a store lock file until released', async () => {
    const release = await lockTxtNames(store, ['_acme-challenge.Example.test.', '_acme-challenge.example.test', '_acme-challenge.a.example.test'], AbortSignal.timeout(5000));
    expect((await readdir(path.join(dir, 'locks'))).sort()).toEqual(['_txt._acme-challenge.a.example.test.lock', '_txt._acme-challenge.example.test.lock']);
    await release();
    expect(await readdir(path.join(dir, 'locks'))).toEqual([]);
  });

  it('two holders of overlapping names, asked in opposite orders, take turns instead of deadlocking', async () => {
    const order: string[] = [];
    const hold = async (tag: string, names: string[]) => {
      const release = await lockTxtNames(store, names, AbortSignal.timeout(5000));
      order.push(`${tag} in`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`${tag} out`);
      await release();
    };
    await Promise.all([hold('a', ['x.test', 'y.test']), hold('b', ['y.test', 'x.test']), hold('c', ['z.test'])]);
    const [a, b] = [order.indexOf('a in'), order.indexOf('b in')];
    // Whoever went first was out before the other came in; c shared nothing and did not wait.
    const firstOut = order.indexOf(a < b ? 'a out' : 'b out');
    expect(firstOut).toBeLessThan(Math.max(a, b));
    expect(order.indexOf('c in')).toBeLessThan(firstOut);
  });

  it('a waiter that gives up takes nothing and leaves the name to the next', async () => {
    const first = await lockTxtNames(store, ['x.test'], AbortSignal.timeout(5000));
    await expect(lockTxtNames(store, ['x.test'], AbortSignal.timeout(50))).rejects.toThrow();
    await first();
    const again = await lockTxtNames(store, ['x.test'], AbortSignal.timeout(5000));
    await again();
  });
});
