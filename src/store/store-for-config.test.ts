import { describe, expect, it } from 'vitest';
import { deferred } from './store-for-config.js';

interface Seam {
  get(key: string, signal: AbortSignal): Promise<string>;
  put(key: string, value: string, signal: AbortSignal): Promise<void>;
}

class Impl implements Seam {
  readonly data = new Map<string, string>();
  get(key: string): Promise<string> { return Promise.resolve(this.data.get(key) ?? '-'); }
  put(key: string, value: string): Promise<void> { this.data.set(key, value); return Promise.resolve(); }
}

describe('deferred (the PostgreSQL seams loaded on their first call)', () => {
  it('loads nothing until a method is called, then once, and calls it on the loaded object', async () => {
    let loads = 0;
    const impl = new Impl();
    const seam = deferred<Seam>(() => { loads++; return Promise.resolve(impl); }, { get: true, put: true });
    expect(loads).toBe(0);
    const signal = AbortSignal.timeout(1000);
    await Promise.all([seam.put('a', '1', signal), seam.put('b', '2', signal)]);
    expect(await seam.get('a', signal)).toBe('1');
    expect(loads).toBe(1);
    expect([...impl.data]).toEqual([['a', '1'], ['b', '2']]);
  });

  it('rejects a call when the load fails', async () => {
    const seam = deferred<Seam>(() => Promise.reject(new Error('no module')), { get: true, put: true });
    await expect(seam.get('a', AbortSignal.timeout(1000))).rejects.toThrow('no module');
  });
});
