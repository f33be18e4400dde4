import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime, parseIsoTime } from './iso-time.js';

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

describe('parseIsoTime', () => {
  it('is Date.parse for every time toISOString writes', () => {
    const ms = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: -62_198_755_200_000, max: 253_402_300_799_999 }), fc.integer({ min: 1.7e12, max: 1.9e12 }));
    fc.assert(fc.property(ms, (t) => {
      const text = new Date(t).toISOString();
      return Object.is(parseIsoTime(text), Date.parse(text));
    }), { numRuns: 20_000 });
  });

  it('is Date.parse for text near that form: any character changed, and out-of-range fields', () => {
    const base = fc.integer({ min: -62_198_755_200_000, max: 253_402_300_799_999 }).map((t) => new Date(t).toISOString());
    const changed = fc.tuple(base, fc.nat({ max: 23 }), fc.constantFrom('0', '1', '2', '3', '9', '-', ':', '.', 'T', 'Z', ' ', 'x', '/', '+', '\u0660'))
      .map(([text, i, c]) => `${text.slice(0, i)}${c}${text.slice(i + 1)}`);
    fc.assert(fc.property(changed, (text) => Object.is(parseIsoTime(text), Date.parse(text))), { numRuns: 50_000 });
    for (const text of ['2027-02-29T00:00:00.000Z', '2028-02-29T12:00:00.000Z', '2027-04-31T00:00:00.000Z', '2027-00-10T00:00:00.000Z', '2027-13-10T00:00:00.000Z',
      '2027-01-00T00:00:00.000Z', '2027-01-10T24:00:00.000Z', '2027-01-10T23:60:00.000Z', '2027-01-10T23:59:60.000Z', '0099-01-10T00:00:00.000Z', '0000-01-01T00:00:00.000Z',
      '2027-01-10T00:00:00.000z', '2027-01-10 00:00:00.000Z', '2027-01-10T00:00:00Z', '', 'not a time at all, 24 ch']) {
      expect(Object.is(parseIsoTime(text), Date.parse(text)), text).toBe(true);
    }
  });
});
