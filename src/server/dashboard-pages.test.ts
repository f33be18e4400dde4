import { describe, expect, it } from 'vitest';
import { certificatePage, loginPage, overviewPage } from './dashboard-pages.js';
import type { CertificateRow } from './dashboard-view.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const EVIL = '<svg onload=alert(1)>"\'&';
const row: CertificateRow = { name: 'web', domains: [`${EVIL}.test`], state: 'failing', next: { at: NOW + 60_000, reason: EVIL }, lastError: EVIL, notAfter: '2027-01-01T00:00:00.000Z', daysLeft: 31 };

describe('dashboard pages', () => {
  it('escape every value of the overview: domains, reasons, errors, event details', () => {
    const page = overviewPage([row], [{ at: NOW, kind: 'failed', name: 'web', detail: EVIL }], NOW);
    expect(page).not.toContain('<svg onload');
    expect(page.split('&lt;svg onload=alert(1)&gt;&quot;&#39;&amp;').length - 1).toBe(4);
    expect(page).toMatch(/^<!doctype html><html lang="en">/);
  });

  it('escape the detail page, and link the ARI explanation only when it is an http(s) URL', () => {
    const chain = [{ subject: `CN=${EVIL}`, issuer: 'CN=ca', serial: '01', notBefore: '2026-11-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', sans: [EVIL], keyType: 'ECDSA prime256v1' }];
    const ari = { start: '2026-12-20T00:00:00Z', end: '2026-12-21T00:00:00Z', chosen: '2026-12-20T06:00:00Z' };
    const page = certificatePage({ row, chain, ari: { ...ari, explanationUrl: 'javascript:alert(1)' }, events: [] }, NOW);
    expect(page).not.toContain('<svg onload');
    expect(page).not.toContain('javascript:');
    expect(page).toContain('renewal chosen at 2026-12-20 06:00 UTC');
    expect(certificatePage({ row, chain, ari: { ...ari, explanationUrl: 'https://ca.test/why?a=1&b=2' }, events: [] }, NOW)).toContain('href="https://ca.test/why?a=1&amp;b=2"');
  });

  it('the login page posts the token to /login and says only that it was not accepted', () => {
    expect(loginPage(false)).toContain('<form class="login" method="post" action="/login">');
    expect(loginPage(false)).not.toContain('role="alert"');
    expect(loginPage(true)).toContain('<p class="alert" role="alert">The token was not accepted.</p>');
  });
});
