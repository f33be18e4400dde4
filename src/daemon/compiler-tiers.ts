import { setFlagsFromString } from 'node:v8';

/**
 * Up to this many certificates the daemon runs without V8's optimizing compilers (Maglev,
 * TurboFan): at 1,000 certificates, turned off once the config is parsed, idle RSS went from
 * 73-76 to 66.7 MB, and to 64.5 MB with `run` started without them (the compilers' code pages in
 * the node binary and what they compiled; docs/benchmarks.md), for a start that settled in
 * 0.26-0.31 s either way. Above it, a start's
 * plan and every config edit need them (at 100,000 certificates: plan <= 5 s, edit <= 0.5 s).
 */
export const OPTIMIZE_ABOVE_CERTIFICATES = 10_000;

/**
 * Turns Maglev and TurboFan off for a config of at most `above` certificates and on for a larger
 * one; returns whether they are on. Set every time, whatever the process started with. The flags
 * themselves, not --max-opt: V8 reads max-opt only at start, to imply --no-maglev/--no-turbofan,
 * while its tiering reads these two at every decision (measured on Node 24). In a process started
 * with Maglev off, Maglev turned on compiles on the main thread (its background dispatcher is made
 * at start only when on): a 100,000-certificate parse took 0.3-0.4 s that way, as with Node's
 * defaults, and 0.7-0.9 s with both off.
 */
export function fitCompilerTiers(certificates: number, above = OPTIMIZE_ABOVE_CERTIFICATES): boolean {
  const on = certificates > above;
  setFlagsFromString(on ? '--maglev --turbofan' : '--no-maglev --no-turbofan');
  return on;
}

/** A config text's length above which its parse is worth the optimizing compilers: about 16,000 certificates of three lines each. */
export const OPTIMIZE_ABOVE_CONFIG_CHARS = 2 ** 20;

/**
 * Before the first parse, when only the text is known: the compilers on for a big one (that parse
 * is the start's heaviest step), left as they are otherwise; fitCompilerTiers then decides by count.
 */
export function fitCompilerTiersToText(text: string, aboveChars = OPTIMIZE_ABOVE_CONFIG_CHARS): void {
  if (text.length > aboveChars) setFlagsFromString('--maglev --turbofan');
}
