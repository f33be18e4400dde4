import { describe, expect, it } from 'vitest';
import { deferred } from './store-for-config.js';

interface Seam {
  readonly host: string;
  get(key: string, signal: AbortSignal): Promise<string>;
  put(key: string, value: string, signal: AbortSignal): Promise<void>;
  rows(signal: AbortSignal): AsyncIterable<string>;
}

class Impl implements Seam {
  readonly host = 'impl';
  readonly data = new Map<string, string>();
  get(key: string): Promise<string> { return Promise.resolve(this.data.get(key) ?? '-'); }
  put(key: string, value: string): Promise<void> { this.data.set(key, value); return Promise.resolve(); }
  async *rows(): AsyncIterable<string> { for (const [k, v] of this.data) yield `${k}=${v}`; await Promise.resolve(); }
}

const rows = async (it: AsyncIterable<string>) => { const out: string[] = []; for await (const r of it) out.push(r); return out; };

describe('deferred (the PostgreSQL seams loaded on their first call)', () => {
  it('loads nothing until a method is called, then once, and calls it on the loaded object', async () => {
    let loads = 0;
    const impl = new Impl();
    const seam = deferred<Seam>(() => { loads++; return Promise.resolve(impl); }, { host: 'h1' });
    expect(loads).toBe(0);
    expect(seam.host).toBe('h1');
    const signal = AbortSignal.timeout(1000);
    await Promise.all([seam.put('a', '1', signal), seam.put('b', '2', signal)]);
    expect(await seam.get('a', signal)).toBe('1');
    expect(loads).toBe(1);
    expect([...impl.data]).toEqual([['a', '1'], ['b', '2']]);
    // Loaded: the implementation's own result.
    expect(await rows(seam.rows(signal))).toEqual(['a=1', 'b=2']);
  });

  it('iterates a method that returns an async iterable before anything is loaded', async () => {
    const impl = new Impl();
    impl.data.set('x', '9');
    const seam = deferred<Seam>(() => Promise.resolve(impl));
    expect(await rows(seam.rows(AbortSignal.timeout(1000)))).toEqual(['x=9']);
  });

  it('is not thenable (an async function can return it), and rejects a call when the load fails', async () => {
    const seam = deferred<Seam>(() => Promise.reject(new Error('no module')));
    expect(await Promise.resolve(seam)).toBe(seam);
    await expect(seam.get('a', AbortSignal.timeout(1000))).rejects.toThrow('no module');
    await expect(rows(seam.rows(AbortSignal.timeout(1000)))).rejects.toThrow('no module');
  });
});
