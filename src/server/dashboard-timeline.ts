import { html, type Html } from './dashboard-html.js';
import type { CertificateRow } from './dashboard-view.js';

const DAY = 86_400_000;
const DAYS = 90;
const LABEL_W = 190;
const CHART_W = 620;
const ROW_H = 22;
const TOP = 24;

/**
 * The expiry timeline of the next 90 days as inline SVG, drawn on the server (no script): one
 * bar per stored certificate from now to its expiry (to the edge when later), a tick at its
 * next renewal when that falls inside the window. Soonest expiry on top.
 */
export function expiryTimeline(rows: CertificateRow[], now: number): Html {
  const dated = rows.filter((r) => r.notAfter !== undefined).sort((a, b) => Date.parse(a.notAfter!) - Date.parse(b.notAfter!));
  if (dated.length === 0) return html`<p class="muted">No certificate is stored yet.</p>`;
  const x = (t: number) => LABEL_W + Math.round((Math.min(Math.max(t - now, 0), DAYS * DAY) / (DAYS * DAY)) * CHART_W);
  const height = TOP + dated.length * ROW_H + 4;
  const width = LABEL_W + CHART_W + 40;
  const ticks = [0, 15, 30, 45, 60, 75, 90].map((d) => {
    const tx = LABEL_W + Math.round((d / DAYS) * CHART_W);
    return html`<line class="axis" x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${height}"/><text x="${tx}" y="${TOP - 10}" text-anchor="middle">${d === 0 ? 'today' : `${d}d`}</text>`;
  });
  const bars = dated.map((r, i) => {
    const y = TOP + i * ROW_H;
    const end = Date.parse(r.notAfter!);
    const w = Math.max(x(end) - LABEL_W, 2);
    const label = r.name.length > 26 ? `${r.name.slice(0, 25)}…` : r.name;
    const days = r.daysLeft ?? 0;
    const beyond = end - now > DAYS * DAY;
    const renew = r.next.at > now && r.next.at - now <= DAYS * DAY ? x(r.next.at) : undefined;
    return html`<g><title>${r.name}: ${r.state}, expires ${r.notAfter!.slice(0, 10)} (${days} days)${renew !== undefined ? `, next look ${new Date(r.next.at).toISOString().slice(0, 10)}` : ''}</title><text x="${LABEL_W - 8}" y="${y + 15}" text-anchor="end">${label}</text><rect class="bar-${r.state.replace(' ', '-')}" x="${LABEL_W}" y="${y + 4}" width="${w}" height="${ROW_H - 8}" rx="3"/>${renew !== undefined ? html`<line class="renew" x1="${renew}" y1="${y + 2}" x2="${renew}" y2="${y + ROW_H - 2}"/>` : ''}<text x="${LABEL_W + w + 6}" y="${y + 15}">${beyond ? `${days}d ›` : `${days}d`}</text></g>`;
  });
  return html`<div class="chart-box"><svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="timeline-title"><title id="timeline-title">Expiry of ${dated.length} certificates over the next ${DAYS} days; a tick marks the next renewal</title>${ticks}${bars}</svg></div>`;
}
