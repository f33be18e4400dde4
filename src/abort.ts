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

/**
 * Like AbortSignal.timeout(ms), with a `clear()` for when the work is done. AbortSignal.timeout's
 * timer always runs out: on the issuance path (a few per request and per TXT write) each one later
 * fired a timer and built a DOMException with its stack for a signal nobody listened to any more,
 * measured in the issuance profile. The reason is the same TimeoutError; the timer is unref'd, as
 * AbortSignal.timeout's is, so it never keeps a one-shot command alive.
 */
export function timeoutSignal(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/**
 * `promise`, or the signal's reason as soon as it aborts, whether or not the work behind the
 * promise heeds the signal (that work runs on; its late result or rejection is dropped).
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
