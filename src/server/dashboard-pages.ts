import type { ChainEntry } from './dashboard-certificate.js';
import type { DashboardEvent } from './dashboard-events.js';
import { html, type Html } from './dashboard-html.js';
import { expiryTimeline } from './dashboard-timeline.js';
import type { CertificateDetail, CertificateRow } from './dashboard-view.js';

/** The page frame: no script, one stylesheet of our own, a viewport for phones. */
export function layout(title: string, body: Html, opts: { nav?: boolean } = {}): string {
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · certfleet</title><link rel="stylesheet" href="/dashboard.css"></head><body><header><h1><a href="/">certfleet</a></h1>${opts.nav === false ? '' : html`<nav aria-label="Sections"><a href="/#certificates">Certificates</a> · <a href="/#timeline">Timeline</a> · <a href="/#events">Events</a></nav>`}</header><main>${body}</main><footer>Read-only view of this daemon.</footer></body></html>`.text}`;
}

const when = (iso: string | number) => new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const certLink = (name: string) => `/certificates/${encodeURIComponent(name)}`;
const stateCell = (r: CertificateRow) => html`<span class="status status-${r.state.replace(' ', '-')}">${r.state}</span>`;

function expiryText(r: CertificateRow): Html {
  if (r.notAfter === undefined) return html`<span class="muted">none stored</span>`;
  return html`${when(r.notAfter)} <span class="muted">(${r.daysLeft} day${r.daysLeft === 1 ? '' : 's'} left)</span>`;
}

function nextText(r: CertificateRow, now: number): Html {
  return html`${r.next.at <= now ? 'now' : when(r.next.at)} <span class="muted">${r.next.reason}</span>`;
}

export function certificateTable(rows: CertificateRow[], now: number): Html {
  const body = rows.map((r) => html`<tr><td data-label="Certificate"><a href="${certLink(r.name)}">${r.name}</a></td><td data-label="Status">${stateCell(r)}</td><td data-label="Domains"><ul class="domains">${r.domains.map((d) => html`<li>${d}</li>`)}</ul></td><td data-label="Expires">${expiryText(r)}</td><td data-label="Next renewal">${nextText(r, now)}</td><td data-label="Last error" class="${r.lastError ? 'error' : ''}">${r.lastError ?? html`<span class="muted">none</span>`}</td></tr>`);
  return html`<table class="certificates"><caption>${rows.length} certificate${rows.length === 1 ? '' : 's'} in the config</caption><thead><tr><th scope="col">Certificate</th><th scope="col">Status</th><th scope="col">Domains</th><th scope="col">Expires</th><th scope="col">Next renewal</th><th scope="col">Last error</th></tr></thead><tbody>${body}</tbody></table>`;
}

function eventList(events: DashboardEvent[], withName: boolean): Html {
  if (events.length === 0) return html`<p class="muted">Nothing happened since the daemon started.</p>`;
  return html`<ol class="events">${events.map((e) => html`<li><time datetime="${new Date(e.at).toISOString()}">${when(e.at)}</time> <strong>${e.kind}</strong>${withName && e.name !== undefined ? html` <a href="${certLink(e.name)}">${e.name}</a>` : ''}: ${e.detail}</li>`)}</ol>`;
}

export function overviewPage(rows: CertificateRow[], events: DashboardEvent[], now: number): string {
  const count = (s: CertificateRow['state']) => rows.filter((r) => r.state === s).length;
  const summary = (['valid', 'due', 'failing', 'expired', 'not issued'] as const).filter((s) => count(s) > 0).map((s) => html`<li>${stateCell({ state: s } as CertificateRow)}: ${count(s)}</li>`);
  return layout('Certificates', html`<ul class="summary" aria-label="Summary">${summary}</ul><section aria-labelledby="certificates"><h2 id="certificates">Certificates</h2>${certificateTable(rows, now)}</section><section aria-labelledby="timeline"><h2 id="timeline">Expiry, next 90 days</h2>${expiryTimeline(rows, now)}</section><section aria-labelledby="events"><h2 id="events">Recent events</h2>${eventList(events, true)}</section>`);
}

function chainEntry(c: ChainEntry, i: number): Html {
  return html`<h3>${i === 0 ? 'Certificate' : `Chain ${i}`}</h3><dl class="facts"><dt>Subject</dt><dd>${c.subject}</dd><dt>Issuer</dt><dd>${c.issuer}</dd><dt>Serial</dt><dd>${c.serial}</dd><dt>Valid</dt><dd>${when(c.notBefore)} to ${when(c.notAfter)}</dd><dt>Key</dt><dd>${c.keyType}</dd>${c.sans.length ? html`<dt>Names (SAN)</dt><dd><ul class="domains">${c.sans.map((s) => html`<li>${s}</li>`)}</ul></dd>` : ''}</dl>`;
}

export function certificatePage(d: CertificateDetail, now: number): string {
  const r = d.row;
  const ari = d.ari ? html`<dt>ARI window</dt><dd>${when(d.ari.start)} to ${when(d.ari.end)}, renewal chosen at ${when(d.ari.chosen)}${d.ari.explanationUrl && /^https?:\/\//.test(d.ari.explanationUrl) ? html` (<a href="${d.ari.explanationUrl}" rel="noreferrer">CA's explanation</a>)` : ''}</dd>` : '';
  const deploys = d.events.filter((e) => e.kind === 'deployed' || e.kind === 'deploy failed');
  return layout(r.name, html`<h2>${r.name}</h2><dl class="facts"><dt>Status</dt><dd>${stateCell(r)}</dd><dt>Domains</dt><dd><ul class="domains">${r.domains.map((x) => html`<li>${x}</li>`)}</ul></dd><dt>Expires</dt><dd>${expiryText(r)}</dd><dt>Next renewal</dt><dd>${nextText(r, now)}</dd>${ari}${r.lastAt ? html`<dt>Last attempt</dt><dd>${when(r.lastAt)}</dd>` : ''}<dt>Last error</dt><dd class="${r.lastError ? 'error' : ''}">${r.lastError ?? html`<span class="muted">none</span>`}</dd></dl>${d.chain.length ? html`<section aria-labelledby="chain"><h2 id="chain">Chain</h2>${d.chain.map(chainEntry)}</section>` : ''}<section aria-labelledby="deploys"><h2 id="deploys">Deploy history</h2>${deploys.length ? eventList(deploys, false) : html`<p class="muted">No deploy since the daemon started.</p>`}</section><section aria-labelledby="events"><h2 id="events">Recent events</h2>${eventList(d.events, false)}</section>`);
}

export function loginPage(rejected: boolean): string {
  return layout('Sign in', html`<h2>Sign in</h2><form class="login" method="post" action="/login">${rejected ? html`<p class="alert" role="alert">The token was not accepted.</p>` : ''}<label for="token">Dashboard token (server.token)</label><input id="token" name="token" type="password" autocomplete="current-password" required><button type="submit">Sign in</button></form>`, { nav: false });
}

export function messagePage(title: string, text: string): string {
  return layout(title, html`<h2>${title}</h2><p>${text}</p>`);
}
