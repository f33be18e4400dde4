import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Below this much heap in use, a full collection has next to nothing to give back. Above it, it
 * pays even for a small daemon: at 1,000 certificates the start leaves 16 MB of heap with 12 MB
 * live, and one collection (about 50 ms, once) took resident memory from 84 to 77 MB.
 */
export const COMPACT_ABOVE_BYTES = 8 * 2 ** 20;

type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
let collect: Collect | undefined;

/**
 * One full garbage collection, when the heap holds more than `aboveBytes`. A start at 100,000
 * certificates leaves about 200 MB of parse and plan garbage in the old generation, and an idle
 * daemon allocates too little for V8 ever to collect it: resident memory stayed at 427 MB where
 * 184 MB are live (docs/benchmarks.md). V8's own idle-time reducer would collect it, but later and
 * in several rounds, inside the idle minute the CPU bar measures; bin/certfleet turns it off for
 * the daemon (`--no-memory-reducer`) and the daemon collects once here instead, when its start's
 * work is done. Returns the heap in use before and after, or undefined when below the bound.
 */
export function compactHeap(aboveBytes = COMPACT_ABOVE_BYTES): { before: number; after: number } | undefined {
  const before = process.memoryUsage().heapUsed;
  if (before < aboveBytes) return undefined;
  if (!collect) {
    // gc() without --expose-gc on the command line: the flag is read when a context is made.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  // 'last-resort': the collection that also gives the freed pages back to the system (measured on
  // 230 MB of heap with 60 MB live: a plain gc() left 241 MB resident, this one 115 MB).
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return { before, after: process.memoryUsage().heapUsed };
}
