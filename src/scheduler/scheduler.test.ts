import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap.js';
import { Scheduler, type Clock } from './scheduler.js';

/** A fake clock: timers fire only when the test advances time. */
class FakeClock implements Clock {
  t = 1_000_000;
  timers = new Map<number, { at: number; fn: () => void }>();
  private id = 0;
  armed = 0;
  now() { return this.t; }
  setTimeout(fn: () => void, ms: number) { this.armed++; const id = ++this.id; this.timers.set(id, { at: this.t + ms, fn }); return id; }
  clearTimeout(h: unknown) { this.timers.delete(h as number); }
  /** Moves time forward, firing due timers in order, and lets the jobs' promises settle. */
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > end) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}
const flush = async () => { for (let i = 0; i < 10; i++) await Promise.resolve(); };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

describe('MinHeap', () => {
  it('pops in time order, ties in insertion order', () => {
    const h = new MinHeap();
    const ats = Array.from({ length: 200 }, (_, i) => ((i * 7919) % 101));
    ats.forEach((at, seq) => h.push({ at, seq, name: String(seq) }));
    const out: number[] = [];
    for (let e = h.pop(); e; e = h.pop()) out.push(e.at);
    expect(out).toEqual([...ats].sort((a, b) => a - b));
  });
});

describe('Scheduler', () => {
  it('keeps one timer for the earliest due time and runs jobs when due', async () => {
    const clock = new FakeClock();
    const ran: string[] = [];
    let wakes = 0;
    const s = new Scheduler({ concurrency: 2, clock, run: (n) => { ran.push(`${n}@${clock.now()}`); return Promise.resolve(); }, onWake: () => wakes++ });
    s.schedule('b', clock.t + 2000);
    s.schedule('a', clock.t + 1000);
    s.schedule('c', clock.t + 3000);
    s.start();
    expect(clock.timers.size).toBe(1);
    await clock.advance(999);
    expect(ran).toEqual([]);
    await clock.advance(2001);
    expect(ran).toEqual(['a@1001000', 'b@1002000', 'c@1003000']);
    expect(wakes).toBe(3);
    expect(clock.timers.size).toBe(0);
  });

  it('moves and removes due times; far times arm at most 2^31-1 ms', async () => {
    const clock = new FakeClock();
    const ran: string[] = [];
    const s = new Scheduler({ concurrency: 1, clock, run: (n) => { ran.push(n); return Promise.resolve(); } });
    s.start();
    s.schedule('x', clock.t + 60 * 86_400_000);
    expect([...clock.timers.values()][0]!.at - clock.t).toBe(2 ** 31 - 1);
    s.schedule('x', clock.t + 10);
    s.schedule('y', clock.t + 20);
    s.unschedule('y');
    await clock.advance(100);
    expect(ran).toEqual(['x']);
    expect(s.nextRun('x')).toBeUndefined();
  });

  it('runs at most `concurrency` jobs, never the same name twice at once, and survives a failing job', async () => {
    const clock = new FakeClock();
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const started: string[] = [];
    const errors: string[] = [];
    const s = new Scheduler({
      concurrency: 2, clock,
      run: async (n) => { started.push(n); const g = deferred(); gates.set(n, g); await g.promise; if (n === 'bad') throw new Error('boom'); },
      onError: (n, e) => errors.push(`${n}: ${(e as Error).message}`),
    });
    s.start();
    for (const n of ['bad', 'b', 'c']) s.schedule(n, clock.t);
    await clock.advance(0);
    expect(started).toEqual(['bad', 'b']);
    s.schedule('b', clock.t); // due again while running: waits for the run to end
    await clock.advance(0);
    expect(started).toEqual(['bad', 'b']);
    gates.get('bad')!.resolve();
    await flush();
    expect(errors).toEqual(['bad: boom']);
    expect(started).toEqual(['bad', 'b', 'c']);
    gates.get('b')!.resolve();
    await flush();
    expect(started).toEqual(['bad', 'b', 'c', 'b']);
  });

  it('stop() aborts running jobs through their signal and waits for them', async () => {
    const clock = new FakeClock();
    let sawAbort = false;
    const s = new Scheduler({ concurrency: 1, clock, run: (_n, signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => { sawAbort = true; resolve(); })) });
    s.start();
    s.schedule('a', clock.t);
    await clock.advance(0);
    expect(s.activeCount).toBe(1);
    await s.stop();
    expect(sawAbort).toBe(true);
    expect(s.running).toBe(false);
    s.schedule('b', clock.t);
    expect(clock.timers.size).toBe(0);
  });
});
