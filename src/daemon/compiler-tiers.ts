import { setFlagsFromString } from 'node:v8';

/**
 * Up to this many certificates the daemon runs without V8's optimizing compilers (Maglev,
 * TurboFan): at 1,000 certificates, turned off once the config is parsed, idle RSS went from
 * 73-76 to 66.7 MB (the compilers' code pages in the node binary and what they compiled;
 * docs/benchmarks.md), for a start that settled in 0.26-0.31 s either way. Above it, a start's
 * plan and every config edit need them (at 100,000 certificates: plan <= 5 s, edit <= 0.5 s).
 */
export const OPTIMIZE_ABOVE_CERTIFICATES = 10_000;

let optimizing = true;

/**
 * Turns Maglev and TurboFan off for a config of at most `above` certificates and on again for a
 * larger one; returns whether they are on. The flags themselves, not --max-opt: V8 reads max-opt
 * only once, at start, to imply --no-maglev/--no-turbofan, while its tiering reads these two at
 * every decision (measured on Node 24). Node starts with both on, so turning them on again later
 * (a config that grew) finds Maglev's background compile thread ready; started off, Maglev would
 * compile on the main thread.
 */
export function fitCompilerTiers(certificates: number, above = OPTIMIZE_ABOVE_CERTIFICATES): boolean {
  const want = certificates > above;
  if (want !== optimizing) {
    setFlagsFromString(want ? '--maglev --turbofan' : '--no-maglev --no-turbofan');
    optimizing = want;
  }
  return optimizing;
}
