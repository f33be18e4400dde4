import { setTimeout as sleepTimer } from 'node:timers/promises';

/** Sleeps `ms`, rejecting with the signal's reason when aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return sleepTimer(ms, undefined, { signal });
}
