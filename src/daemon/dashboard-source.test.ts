import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/test-log.js';
import { FakeCertificateStore } from '../../test/support/fake-certificate-store.js';
import { parseConfig } from '../config/load-config.js';
import { EventRing } from '../server/dashboard-events.js';
import type { CertificateMeta } from '../store/certificate-store.js';
import { dashboardSource, outcomeEvents } from './dashboard-source.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const DIR = 'https://ca.test/dir';
const config = parseConfig(`acme: { directory: ${DIR} }
dns: { providers: { home: { type: powerdns, api_url: https://pdns.test, api_key: k } } }
certificates:
  - { name: ok, domains: [ok.test, www.ok.test], dns: home }
  - { name: due, domains: [due.test], dns: home }
  - { name: gone, domains: [gone.test], dns: home }
  - { name: bad, domains: [bad.test], dns: home }
  - { name: new, domains: [new.test], dns: home }
`, 'c.yaml');

const meta = (name: string, notBefore: number, notAfter: number): CertificateMeta => ({
  name, domains: config.certificates.find((c) => c.name === name)!.domains, keyType: 'ecdsa-p256', notBefore: new Date(notBefore).toISOString(), notAfter: new Date(notAfter).toISOString(),
  issuer: 'CN=x', serial: `S-${name}`, account: '', orderUrl: '', version: 1, issuedAt: new Date(notBefore).toISOString(), directory: DIR,
});

function fixture() {
  const store = new FakeCertificateStore();
  const put = (m: CertificateMeta) => store.certs.set(m.name, { meta: m, pem: { cert: '', chain: '', fullchain: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', privkey: 'PRIVATE KEY' } });
  put(meta('ok', NOW - 10 * DAY, NOW + 80 * DAY));
  put(meta('due', NOW - 70 * DAY, NOW + 20 * DAY));
  put(meta('gone', NOW - 91 * DAY, NOW - DAY));
  put(meta('bad', NOW - 70 * DAY, NOW + 20 * DAY));
  store.states.set('bad', { version: 1, state: { failures: 1, lastResult: 'failed', lastError: 'DNS_AUTH: no', lastAttempt: new Date(NOW - 60_000).toISOString(), nextAttempt: new Date(NOW + 600_000).toISOString() } });
  store.states.set('ok', { version: 1, state: { failures: 0, ari: { serial: 'S-ok', nextCheck: '2026-12-02T00:00:00Z', window: { start: '2027-01-01T00:00:00Z', end: '2027-01-02T00:00:00Z', chosen: '2027-01-01T12:00:00Z' } } } });
  store.states.set('due', { version: 1, state: { failures: 0, ari: { serial: 'an older one', nextCheck: '2026-12-02T00:00:00Z', window: { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z', chosen: '2026-01-01T12:00:00Z' } } } });
  const events = new EventRing();
  const cap = captureLog();
  return { store, events, cap, source: dashboardSource({ current: () => ({ config, store }), events, now: () => NOW, log: cap.log }) };
}

describe('dashboardSource', () => {
  it('gives one row per configured certificate, in config order, with the state the status query implies', async () => {
    const { source } = fixture();
    const rows = await source.rows(AbortSignal.timeout(5000));
    expect(rows.map((r) => [r.name, r.state])).toEqual([['ok', 'valid'], ['due', 'due'], ['gone', 'expired'], ['bad', 'failing'], ['new', 'not issued']]);
    const bad = rows[3]!;
    expect(bad).toMatchObject({ lastError: 'DNS_AUTH: no', daysLeft: 20, next: { at: NOW + 600_000, reason: 'retry after failure 1' } });
    expect(rows[0]).toMatchObject({ domains: ['ok.test', 'www.ok.test'], daysLeft: 80, next: { reason: 'ARI window' } });
    expect(rows[4]).toMatchObject({ next: { at: NOW, reason: 'no certificate yet' } });
    expect(rows[4]!.notAfter).toBeUndefined();
  });

  it('details: the ARI window only for the stored serial, no chain for a PEM that does not parse, the certificate\'s events', async () => {
    const { source, events, cap } = fixture();
    events.add({ at: NOW, kind: 'deployed', name: 'ok', detail: 'hook /bin/true' });
    events.add({ at: NOW, kind: 'issued', name: 'due', detail: 'x' });
    const ok = (await source.detail('ok', AbortSignal.timeout(5000)))!;
    expect(ok.ari).toEqual({ start: '2027-01-01T00:00:00Z', end: '2027-01-02T00:00:00Z', chosen: '2027-01-01T12:00:00Z' });
    expect(ok.chain).toEqual([]);
    expect(ok.events.map((e) => e.detail)).toEqual(['hook /bin/true']);
    expect(cap.records().some((r) => r.msg === 'dashboard_chain_unreadable')).toBe(true);
    expect((await source.detail('due', AbortSignal.timeout(5000)))!.ari).toBeUndefined();
    expect(await source.detail('unknown', AbortSignal.timeout(5000))).toBeUndefined();
  });
});

describe('stored deploy results', () => {
  const at = new Date(NOW - 3_600_000).toISOString();
  const deploy = { failures: 2, nextAttempt: new Date(NOW + 300_000).toISOString(), actions: [
    { kind: 'hook', describe: 'hook /usr/sbin/nginx', required: true, result: 'failed' as const, at, error: 'hook /usr/sbin/nginx: exit 1' },
    { kind: 'pfx', describe: 'pfx', required: false, result: 'skipped' as const, at, error: 'skipped' },
  ] };

  it('fill the detail page when the ring has no deploy event (after a restart); a failing required action makes the row failing', async () => {
    const { source, store } = fixture();
    store.states.set('ok', { version: 2, state: { failures: 0, deploy } });
    const ok = (await source.detail('ok', AbortSignal.timeout(5000)))!;
    expect(ok.events).toEqual([{ at: NOW - 3_600_000, kind: 'deploy failed', name: 'ok', detail: 'hook /usr/sbin/nginx: exit 1' }]);
    expect(ok.row).toMatchObject({ state: 'failing', lastError: 'deploy failed: hook /usr/sbin/nginx: exit 1' });
  });

  it('the ring\'s own deploy events win when it has them', async () => {
    const { source, store, events } = fixture();
    store.states.set('ok', { version: 2, state: { failures: 0, deploy } });
    events.add({ at: NOW, kind: 'deployed', name: 'ok', detail: 'hook /usr/sbin/nginx' });
    expect((await source.detail('ok', AbortSignal.timeout(5000)))!.events.map((e) => e.kind)).toEqual(['deployed']);
  });

  it('a deploy retry on a skipped look is an event', () => {
    expect(outcomeEvents({ name: 'ok', result: 'skipped', detail: 'not due', deploy: [{ kind: 'hook', describe: 'hook x', result: 'ok', ms: 1 }] }, NOW))
      .toEqual([{ at: NOW, kind: 'deployed', name: 'ok', detail: 'hook x' }]);
  });
});

describe('outcomeEvents', () => {
  it('an issuance with its deploy results; a failure with its error; nothing for a skip', () => {
    const m = meta('ok', NOW, NOW + 90 * DAY);
    expect(outcomeEvents({ name: 'ok', result: 'renewed', detail: '/live/ok', meta: m, deploy: [
      { kind: 'hook', describe: 'hook /bin/true', result: 'ok', ms: 1 },
      { kind: 'copy', describe: 'copy to /x', result: 'failed', ms: 1, error: 'copy to /x: EACCES' },
      { kind: 'pfx', describe: 'pfx', result: 'skipped', ms: 0, error: 'skipped' },
    ] }, NOW)).toEqual([
      { at: NOW, kind: 'renewed', name: 'ok', detail: 'serial S-ok, valid until 2027-03-01' },
      { at: NOW, kind: 'deployed', name: 'ok', detail: 'hook /bin/true' },
      { at: NOW, kind: 'deploy failed', name: 'ok', detail: 'copy to /x: EACCES' },
    ]);
    expect(outcomeEvents({ name: 'bad', result: 'failed', detail: 'DNS_AUTH: no', meta: m }, NOW)).toEqual([{ at: NOW, kind: 'failed', name: 'bad', detail: 'DNS_AUTH: no' }]);
    expect(outcomeEvents({ name: 'ok', result: 'skipped', detail: 'not due' }, NOW)).toEqual([]);
  });
});
