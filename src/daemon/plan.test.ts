import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import { storeFor } from '../store/store-for-config.js';
import { savedCertificate } from '../../test/support/saved-certificate.js';
import { planCertificates } from './plan.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
let root: string;
beforeEach(async () => { root = await mkdtemp(path.join(tmpdir(), 'certfleet-plan-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

const config = () => parseConfig(`acme: { directory: https://ca.test/dir }
store: { path: ${root} }
dns: { providers: { home: { type: powerdns, api_url: http://127.0.0.1:1, api_key: k } } }
certificates:
  - { name: web, domains: [a.test], dns: home }
  - { name: new, domains: [b.test], dns: home }
`, 'c.yaml');

describe('planCertificates', () => {
  it('issues what was never obtained; a first issuance inside its failure backoff is kept for later, not obtained now', async () => {
    const retry = new Date(NOW + 600_000).toISOString();
    await storeFor(config()).writeState('web', { failures: 2, lastResult: 'failed', lastError: 'DNS down', nextAttempt: retry }, { expectedVersion: 0 }, AbortSignal.timeout(5000));
    expect(await planCertificates(config(), AbortSignal.timeout(5000), NOW)).toEqual([
      { name: 'web', action: 'keep', at: retry, reason: `retry after failure 2 at ${retry}` },
      { name: 'new', action: 'issue', reason: 'no certificate yet' },
    ]);
  });

  it('a force_renew certificate: the daemon keeps it until 12 hours after its issuance, one issue run renews it; --cert and --force as issue takes them', async () => {
    const issuedAt = new Date(NOW - 3_600_000).toISOString();
    const pem = { cert: 'c', chain: '', fullchain: 'c', privkey: 'k' };
    await savedCertificate(root, pem, { domains: ['a.test'], directory: 'https://ca.test/dir', notBefore: issuedAt, notAfter: new Date(NOW + 80 * 86_400_000).toISOString(), issuedAt });
    const forced = parseConfig(`acme: { directory: https://ca.test/dir }
store: { path: ${root} }
dns: { providers: { home: { type: powerdns, api_url: http://127.0.0.1:1, api_key: k } } }
certificates:
  - { name: web, domains: [a.test], dns: home, force_renew: true }
  - { name: new, domains: [b.test], dns: home }
`, 'c.yaml');
    const at = new Date(NOW + 11 * 3_600_000).toISOString();
    const signal = AbortSignal.timeout(5000);
    expect(await planCertificates(forced, signal, NOW)).toEqual([
      { name: 'web', action: 'keep', at, reason: `force_renew (every 12 h) at ${at}` },
      { name: 'new', action: 'issue', reason: 'no certificate yet' },
    ]);
    expect((await planCertificates(forced, signal, NOW, { run: 'once' }))[0]).toEqual({ name: 'web', action: 'renew', reason: 'force_renew (on every issue run)' });
    expect(await planCertificates(config(), signal, NOW, { run: 'once', only: ['web'] })).toEqual([{ name: 'web', action: 'keep', at: expect.any(String), reason: expect.stringMatching(/a third of the lifetime/) }]);
    expect(await planCertificates(config(), signal, NOW, { run: 'once', force: true })).toEqual([
      { name: 'web', action: 'renew', reason: 'forced' },
      { name: 'new', action: 'issue', reason: 'forced' },
    ]);
  });
});
