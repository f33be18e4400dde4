import { setTimeout as sleepTimer } from 'node:timers/promises';

/** Sleeps `ms`; when aborted, rejects with the signal's own reason (not a generic AbortError). */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleepTimer(ms, undefined, { signal });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw err;
  }
}
