import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('is toISOString for any time a Date holds', () => {
    // The whole range of Date, and near now (where the day cache hits), whole milliseconds.
    const ms = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 1.7e12, max: 1.9e12 }));
    fc.assert(fc.property(ms, (t) => isoTime(t) === new Date(t).toISOString()), { numRuns: 20_000 });
  });

  it('truncates a fractional time as Date does', () => {
    fc.assert(fc.property(fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }), (t) => isoTime(t) === new Date(t).toISOString()), { numRuns: 20_000 });
    expect(isoTime(-1.5)).toBe(new Date(-1.5).toISOString());
  });

  it('is toISOString at the edges of days, years and the epoch', () => {
    for (const t of [0, -1, 1, 86_399_999, 86_400_000, -86_400_000, Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1)]) {
      expect(isoTime(t)).toBe(new Date(t).toISOString());
    }
  });

  it('throws RangeError for a time that is not one, as toISOString does', () => {
    expect(() => isoTime(NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});
