import { errorMessage } from '../errors.js';
import { MinHeap } from './min-heap.js';
import { ReadyQueue } from './ready-queue.js';

/** The clock and timers the scheduler uses; tests pass a fake one. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Node's timers overflow above 2^31-1 ms (24.8 days): longer waits re-arm once at that bound. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SchedulerOptions {
  concurrency: number;
  /** Runs one job; it schedules the next run itself. A rejection is reported, never thrown. */
  run: (name: string, signal: AbortSignal) => Promise<void>;
  onError?: (name: string, err: unknown) => void;
  /** Called each time the one timer fires (a metric: an idle daemon should see almost none). */
  onWake?: () => void;
  clock?: Clock;
}

/**
 * Due times in a min-heap and one timer for the earliest; no loop that wakes on an interval.
 * At most `concurrency` jobs run at once, and never two for the same name: a job scheduled
 * while its name is running waits for that run to end.
 */
export class Scheduler {
  private readonly heap = new MinHeap();
  private readonly current = new Map<string, { seq: number; at: number }>();
  private readonly ready = new ReadyQueue();
  private readonly active = new Map<string, Promise<void>>();
  private readonly deferred = new Set<string>();
  private readonly clock: Clock;
  private readonly abort = new AbortController();
  private timer: { handle: unknown; at: number } | undefined;
  private seq = 0;
  private started = false;
  private concurrency: number;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.concurrency = opts.concurrency;
  }

  /** Changes the limit (config reload); more room starts waiting jobs at once. */
  setConcurrency(n: number): void {
    this.concurrency = n;
    this.pump();
  }

  get running(): boolean {
    return this.started && !this.abort.signal.aborted;
  }

  /** When `name` runs next (undefined: not scheduled). */
  nextRun(name: string): number | undefined {
    return this.current.get(name)?.at;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Sets (or moves) the one due time of `name`. */
  schedule(name: string, at: number): void {
    if (this.abort.signal.aborted) return;
    const seq = ++this.seq;
    this.current.set(name, { seq, at });
    this.heap.push({ name, at, seq });
    if (this.started) this.arm();
  }

  unschedule(name: string): void {
    this.current.delete(name);
    this.deferred.delete(name);
    this.ready.delete(name);
  }

  start(): void {
    this.started = true;
    this.arm();
  }

  /** Aborts running jobs through their signal and waits for them to end. */
  async stop(reason: unknown = new Error('scheduler stopped')): Promise<void> {
    this.abort.abort(reason);
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    this.timer = undefined;
    await Promise.allSettled(this.active.values());
  }

  /** Resolves when no job is running or ready (for tests and the one-shot CLI). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled(this.active.values());
  }

  private arm(): void {
    // Drop entries that were moved or removed since they were pushed.
    for (let top = this.heap.peek(); top && this.current.get(top.name)?.seq !== top.seq; top = this.heap.peek()) this.heap.pop();
    const top = this.heap.peek();
    if (!top || this.abort.signal.aborted) {
      if (this.timer) this.clock.clearTimeout(this.timer.handle);
      this.timer = undefined;
      return;
    }
    if (this.timer && this.timer.at === top.at) return;
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    const delay = Math.min(Math.max(0, top.at - this.clock.now()), MAX_TIMER_MS);
    this.timer = { at: top.at, handle: this.clock.setTimeout(() => this.fire(), delay) };
  }

  private fire(): void {
    this.timer = undefined;
    this.opts.onWake?.();
    const now = this.clock.now();
    for (let top = this.heap.peek(); top && top.at <= now; top = this.heap.peek()) {
      this.heap.pop();
      if (this.current.get(top.name)?.seq !== top.seq) continue;
      this.current.delete(top.name);
      if (this.active.has(top.name)) this.deferred.add(top.name);
      else this.ready.push(top.name);
    }
    this.pump();
    this.arm();
  }

  private pump(): void {
    while (this.active.size < this.concurrency && this.ready.size > 0 && !this.abort.signal.aborted) {
      const name = this.ready.shift()!;
      const job = this.opts.run(name, this.abort.signal)
        .catch((err: unknown) => (this.opts.onError ?? defaultOnError)(name, err))
        .finally(() => {
          this.active.delete(name);
          if (this.deferred.delete(name)) this.ready.push(name);
          this.pump();
        });
      this.active.set(name, job);
    }
  }
}

function defaultOnError(name: string, err: unknown): void {
  process.emitWarning(`certfleet scheduler: job ${name} failed: ${errorMessage(err)}`);
}
