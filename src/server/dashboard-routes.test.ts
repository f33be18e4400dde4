import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/test-log.js';
import { DashboardAuth } from './dashboard-auth.js';
import { EventRing } from './dashboard-events.js';
import { DASHBOARD_CSP, dashboardHandler } from './dashboard-routes.js';
import type { CertificateRow, DashboardSource } from './dashboard-view.js';
import { startHttpServer } from './http-server.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;
const EVIL = `<img src=x onerror=alert(1)>&"'`;

function source(rows: CertificateRow[], events = new EventRing()): DashboardSource {
  return {
    rows: () => Promise.resolve(rows),
    detail: (name) => Promise.resolve(rows.find((r) => r.name === name) ? { row: rows.find((r) => r.name === name)!, chain: [], events: events.recent(name) } : undefined),
    events: () => events.recent(),
    now: () => NOW,
  };
}

async function withServer(rows: CertificateRow[], token: string | undefined, test: (base: string) => Promise<void>, loopback = true): Promise<void> {
  const cap = captureLog();
  const s = await startHttpServer('127.0.0.1:0', {
    readiness: () => Promise.resolve({ ok: true }),
    metrics: () => Promise.resolve({ contentType: 'text/plain', body: 'x 1\n' }),
  }, cap.log, dashboardHandler(source(rows), new DashboardAuth(() => token, () => NOW, () => loopback)));
  try {
    await test(s.address);
  } finally {
    await s.close();
  }
}

const valid: CertificateRow = { name: 'web', domains: ['web.example.test'], state: 'valid', notAfter: new Date(NOW + 40 * DAY).toISOString(), daysLeft: 40, next: { at: NOW + 10 * DAY, reason: 'a third of the lifetime left' } };
const failing: CertificateRow = { name: 'bad', domains: [`x.example.test`], state: 'failing', next: { at: NOW + 60_000, reason: 'retry after failure 1' }, lastError: EVIL };

describe('dashboard routes', () => {
  it('off loopback without a token: every page 403 with what to set, health and metrics still answer', async () => {
    await withServer([valid], undefined, async (base) => {
      for (const page of ['/', '/certificates/web', '/login']) {
        const r = await fetch(`${base}${page}`);
        expect(r.status).toBe(403);
        expect(await r.text()).toContain('server.token_file');
      }
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
    }, false);
  });

  it('serve the table with the security headers and every value escaped', async () => {
    await withServer([valid, failing], undefined, async (base) => {
      const r = await fetch(`${base}/`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(DASHBOARD_CSP).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('same-origin');
      const body = await r.text();
      expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;');
      expect(body).not.toContain('<img');
      expect(body).not.toMatch(/<script|style=/);
      expect(body).toContain('<meta name="viewport"');
      expect(body).toContain('href="/certificates/web"');
      const css = await fetch(`${base}/dashboard.css`);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect((await fetch(`${base}/certificates/web`)).status).toBe(200);
      expect((await fetch(`${base}/certificates/nope`)).status).toBe(404);
      expect((await fetch(`${base}/certificates/%E0%A4%A`)).status).toBe(404);
    });
  });

  it('are read-only: other methods are 405, POST only to /login', async () => {
    await withServer([valid], undefined, async (base) => {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const r = await fetch(`${base}/`, { method });
        expect(r.status).toBe(405);
        expect(r.headers.get('allow')).toBe('GET, HEAD');
      }
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
      const head = await fetch(`${base}/`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      // Without a token there is nothing to sign in to.
      expect((await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ token: 'x' }) })).status).toBe(401);
    });
  });

  it('with a token: redirect to login, wrong token 401 without a hint, right token a session cookie; health stays open', async () => {
    await withServer([valid], 'right-token-0123456789', async (base) => {
      const first = await fetch(`${base}/`, { redirect: 'manual' });
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe('/login');
      expect((await fetch(`${base}/certificates/web`, { redirect: 'manual' })).status).toBe(303);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
      expect((await fetch(`${base}/login`)).status).toBe(200);

      const wrong = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ token: 'right-token-012345678' }), redirect: 'manual' });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('set-cookie')).toBeNull();
      expect(await wrong.text()).toContain('The token was not accepted.');

      const foreign = await fetch(`${base}/login`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: new URLSearchParams({ token: 'right-token-0123456789' }), redirect: 'manual' });
      expect(foreign.status).toBe(403);

      const ok = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ token: 'right-token-0123456789' }), redirect: 'manual' });
      expect(ok.status).toBe(303);
      const cookie = ok.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^certfleet_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
      expect(cookie).not.toContain('right-token');
      const page = await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0]! } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('web.example.test');
    });
  });

});
