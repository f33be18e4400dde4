import { describe, expect, it } from 'vitest';
import { ReadyQueue } from './ready-queue.js';

describe('ReadyQueue', () => {
  it('hands names out first in first out, each once however often it was pushed', () => {
    const q = new ReadyQueue();
    for (const n of ['a', 'b', 'a', 'c', 'b']) q.push(n);
    expect(q.size).toBe(3);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual(['a', 'b', 'c', undefined]);
    expect(q.size).toBe(0);
  });

  it('skips a deleted name, and takes it again when pushed again', () => {
    const q = new ReadyQueue();
    q.push('a');
    q.push('b');
    q.delete('a');
    expect(q.size).toBe(1);
    expect(q.shift()).toBe('b');
    q.push('a');
    expect(q.shift()).toBe('a');
    expect(q.shift()).toBeUndefined();
  });

  it('keeps its order across the compaction of what was consumed', () => {
    const q = new ReadyQueue();
    const names = Array.from({ length: 5000 }, (_, i) => `c${i}`);
    for (const n of names) q.push(n);
    const out: string[] = [];
    for (let i = 0; i < 3000; i++) out.push(q.shift()!);
    for (const n of ['x', 'y']) q.push(n);
    while (q.size > 0) out.push(q.shift()!);
    expect(out).toEqual([...names, 'x', 'y']);
  });
});
