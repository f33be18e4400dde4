import { describe, expect, it } from 'vitest';
import { expiryTimeline } from './dashboard-timeline.js';
import type { CertificateRow } from './dashboard-view.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const row = (name: string, days: number | undefined, next = NOW + DAY): CertificateRow => ({
  name, domains: [`${name}.test`], state: days === undefined ? 'not issued' : days < 0 ? 'expired' : 'valid', next: { at: next, reason: 'r' },
  ...(days === undefined ? {} : { notAfter: new Date(NOW + days * DAY).toISOString(), daysLeft: days }),
});
const widths = (svg: string) => [...svg.matchAll(/<rect class="bar-[a-z-]+" x="190" y="\d+" width="(\d+)"/g)].map((m) => Number(m[1]));

describe('expiryTimeline', () => {
  it('one bar per stored certificate, soonest expiry first, its length the days left out of 90', () => {
    const svg = expiryTimeline([row('late', 200), row('soon', 9), row('none', undefined), row('mid', 45)], NOW).text;
    expect([...svg.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1])).toEqual(['soon', 'mid', 'late']);
    expect(widths(svg)).toEqual([62, 310, 620]);
    expect(svg).toContain('200d ›');
    expect(svg).toContain('role="img"');
    expect(svg).not.toContain('style=');
  });

  it('marks the next renewal inside the window only, and draws an expired certificate as a sliver', () => {
    const svg = expiryTimeline([row('gone', -3, NOW - DAY), row('later', 60, NOW + 100 * DAY), row('x', 60, NOW + 30 * DAY)], NOW).text;
    expect(widths(svg)).toEqual([2, 413, 413]);
    expect([...svg.matchAll(/<line class="renew" x1="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([190 + 207]);
  });

  it('says so when nothing is stored, and escapes names', () => {
    expect(expiryTimeline([row('a', undefined)], NOW).text).toContain('No certificate is stored yet.');
    expect(expiryTimeline([{ ...row('a', 10), name: '<x>' }], NOW).text).toContain('&lt;x&gt;');
  });
});
