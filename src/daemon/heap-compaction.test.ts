import { describe, expect, it } from 'vitest';
import { compactHeap } from './heap-compaction.js';

describe('compactHeap', () => {
  it('does nothing below its bound', () => {
    expect(compactHeap(Number.MAX_SAFE_INTEGER)).toBeUndefined();
  });

  it('collects the garbage above it: the heap in use after is what is still referenced', () => {
    // About 40 MB of objects, dropped before the collection.
    let garbage: object[] | undefined = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `garbage ${i}`, a: [i] }));
    const held = garbage.length;
    garbage = undefined;
    const heap = compactHeap(0);
    expect(held).toBe(400_000);
    expect(heap).toBeDefined();
    expect(heap!.after).toBeLessThan(heap!.before - 20 * 2 ** 20);
  });
});
