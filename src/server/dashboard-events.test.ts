import { describe, expect, it } from 'vitest';
import { EventRing } from './dashboard-events.js';

describe('EventRing', () => {
  it('keeps the newest events up to its capacity, newest first', () => {
    const ring = new EventRing(3);
    for (let i = 1; i <= 5; i++) ring.add({ at: i, kind: 'issued', name: `c${i % 2}`, detail: String(i) });
    expect(ring.recent().map((e) => e.at)).toEqual([5, 4, 3]);
    expect(ring.recent('c1').map((e) => e.at)).toEqual([5, 3]);
  });

  it('returns what it has before it is full', () => {
    const ring = new EventRing(3);
    ring.add({ at: 1, kind: 'reloaded', detail: 'config' });
    expect(ring.recent()).toEqual([{ at: 1, kind: 'reloaded', detail: 'config' }]);
  });
});
