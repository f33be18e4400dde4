/**
 * `new Date(ms).toISOString()`, several times faster for times in the same few days: the date
 * part is kept per day and the time of day written by arithmetic. A daemon's plan and `certfleet
 * list` write one per certificate (its next look), and at 100,000 certificates toISOString was
 * most of the status computation.
 */
export function isoTime(time: number): string {
  // A Date keeps whole milliseconds, truncated (a renewal moment a third of a lifetime away is not whole).
  const ms = Math.trunc(time);
  // Outside what a Date holds (and NaN): toISOString's RangeError.
  if (!(ms >= -MAX_TIME && ms <= MAX_TIME)) return new Date(time).toISOString();
  const day = Math.floor(ms / DAY);
  let prefix = DAY_PREFIXES.get(day);
  if (prefix === undefined) {
    const full = new Date(ms).toISOString();
    prefix = full.slice(0, full.indexOf('T') + 1);
    if (DAY_PREFIXES.size >= 4096) DAY_PREFIXES.clear();
    DAY_PREFIXES.set(day, prefix);
  }
  let t = ms - day * DAY;
  const milli = t % 1000;
  t = (t - milli) / 1000;
  const s = t % 60;
  t = (t - s) / 60;
  const m = t % 60;
  const h = (t - m) / 60;
  return `${prefix}${TWO[h]}:${TWO[m]}:${TWO[s]}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

const DAY = 86_400_000;
const MAX_TIME = 8.64e15;
const DAY_PREFIXES = new Map<number, string>();
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
