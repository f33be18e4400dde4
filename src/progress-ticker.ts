/** How often a wait that can last minutes (DNS propagation, ACME validation) says what it still waits for. */
export const PROGRESS_EVERY_MS = 5_000;

/**
 * Calls `tick` now and then every `everyMs` until the returned function is called. The timer
 * never keeps the process alive: it only reports on a wait that something else is doing.
 */
export function tickWhile(tick: (elapsedMs: number) => void, everyMs: number = PROGRESS_EVERY_MS): () => void {
  const started = performance.now();
  tick(0);
  const timer = setInterval(() => tick(performance.now() - started), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
