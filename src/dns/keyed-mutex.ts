/** Serialises async work per key (e.g. one PowerDNS RRset), without holding anything once idle. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(key);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Waits for the key and holds it until the returned function is called (for a hold that
   * outlives one call, e.g. a TXT name from its write until its cleanup). When `signal` aborts
   * while waiting, rejects with its reason and takes nothing.
   */
  async acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((r) => { release = r; });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    const done = () => {
      release();
      // Forgotten once everything before it is done too (an aborted waiter may leave early).
      void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    };
    if (!signal) {
      await previous;
      return done;
    }
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([previous, aborted]);
    } catch (err) {
      // Our place in the queue passes on as soon as the one before us is done.
      done();
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    return done;
  }
}
