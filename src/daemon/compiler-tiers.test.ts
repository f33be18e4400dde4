import { setFlagsFromString } from 'node:v8';
import { runInThisContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { fitCompilerTiers, fitCompilerTiersToText } from './compiler-tiers.js';

// V8's own view of a function: %GetOptimizationStatus, readable once natives syntax is allowed
// (the flag is read when code is compiled, so a script compiled after it sees it).
setFlagsFromString('--allow-natives-syntax');
const status = runInThisContext('(f) => %GetOptimizationStatus(f)') as (f: unknown) => number;
const OPTIMIZED = 1 << 4;

let fresh = 0;
/** A fresh function (its own script: no feedback from an earlier one) called until V8 optimizes it, or 200,000 times. */
function heat(): boolean {
  const f = runInThisContext(`(a) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * 3; return s; } // ${++fresh}`) as (a: number[]) => number;
  const a = Array.from({ length: 50 }, (_, i) => i);
  for (let i = 0; i < 200_000; i++) {
    f(a);
    if (status(f) & OPTIMIZED) return true;
  }
  return false;
}

describe('fitCompilerTiers', () => {
  // The flags are the process's: the other test files in this worker get them back.
  afterAll(() => fitCompilerTiers(Number.MAX_SAFE_INTEGER, 0));

  it('a small config: no optimizing compiler, however hot a function gets', () => {
    expect(fitCompilerTiers(1_000, 10_000)).toBe(false);
    expect(heat()).toBe(false);
  });

  it('a config grown past the bound: optimized again', () => {
    fitCompilerTiers(1_000, 10_000);
    expect(fitCompilerTiers(10_001, 10_000)).toBe(true);
    expect(heat()).toBe(true);
  });

  it('a config text past its bound turns them on before the parse; a short one leaves them', () => {
    fitCompilerTiers(1_000, 10_000);
    fitCompilerTiersToText('certificates: []', 100);
    expect(heat()).toBe(false);
    fitCompilerTiersToText('x'.repeat(101), 100);
    expect(heat()).toBe(true);
  });
});
