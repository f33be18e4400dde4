import { describe, expect, it } from 'vitest';
import { TechnitiumProvider } from '../../src/dns/technitium/technitium-provider.js';
import { startFakeTechnitium } from '../support/fake-technitium.js';
import { describeProviderConformance } from '../support/provider-conformance.js';

describeProviderConformance('technitium with an API token (fake from its API docs)', async () => {
  const t = await startFakeTechnitium(['example.test']);
  return { provider: new TechnitiumProvider({ id: 'tdns', apiUrl: t.url, token: t.apiToken }), zone: 'example.test', txt: (f) => Promise.resolve(t.txt(f)), stop: t.stop };
});

describeProviderConformance('technitium with user and password, legacy token parameter', async () => {
  const t = await startFakeTechnitium(['example.test'], { legacy: true });
  return { provider: new TechnitiumProvider({ id: 'tdns', apiUrl: t.url, username: t.user, password: t.password }), zone: 'example.test', txt: (f) => Promise.resolve(t.txt(f)), stop: t.stop };
});

describe('technitium specifics', () => {
  const rec = { name: '_acme-challenge', type: 'TXT', data: 'v1', ttl: 60 };
  const signal = () => AbortSignal.timeout(10_000);

  it('logs in once, renews an expired session once, and sets expiryTtl as a safety net', async () => {
    const t = await startFakeTechnitium(['example.test']);
    try {
      const p = new TechnitiumProvider({ id: 'tdns', apiUrl: t.url, username: t.user, password: t.password, expiryTtl: 86_400 });
      await p.appendRecords('example.test', [rec], signal());
      await p.appendRecords('example.test', [{ ...rec, data: 'v2' }], signal());
      expect(t.logins()).toBe(1);
      t.expireSessions();
      await p.deleteRecords('example.test', [rec], signal());
      expect(t.logins()).toBe(2);
      expect(t.txt('_acme-challenge.example.test')).toEqual(['v2']);
      expect(t.expiryOf('_acme-challenge.example.test', 'v2')).toBe(86_400);
    } finally {
      await t.stop();
    }
  });

  it('a refused token, a wrong password, 2FA and a foreign zone: one clear error each, no secret in it', async () => {
    const t = await startFakeTechnitium(['example.test']);
    const t2 = await startFakeTechnitium(['example.test'], { twoFactor: true });
    try {
      const bad = await new TechnitiumProvider({ id: 'tdns', apiUrl: t.url, token: 'not-a-valid-token' }).appendRecords('example.test', [rec], signal()).then(() => new Error('no failure'), (e: unknown) => e as Error);
      expect(bad).toMatchObject({ code: 'DNS_AUTH', message: 'Technitium provider tdns, zone example.test: API token refused (Invalid token or session expired.)' });
      const pw = await new TechnitiumProvider({ id: 'tdns', apiUrl: t.url, username: 'admin', password: 'wrong-password' }).appendRecords('example.test', [rec], signal()).then(() => new Error('no failure'), (e: unknown) => e as Error);
      expect(pw).toMatchObject({ code: 'DNS_AUTH', message: 'Technitium provider tdns: login as admin failed: Invalid username or password for user: admin' });
      expect(pw.message).not.toContain('wrong-password');
      await expect(new TechnitiumProvider({ id: 'tdns', apiUrl: t2.url, username: t2.user, password: t2.password }).appendRecords('example.test', [rec], signal()))
        .rejects.toMatchObject({ code: 'DNS_AUTH', message: expect.stringMatching(/two-factor authentication: use a permanent API token/) });
      await expect(new TechnitiumProvider({ id: 'tdns', apiUrl: t.url, token: t.apiToken }).appendRecords('other.test', [rec], signal()))
        .rejects.toMatchObject({ code: 'DNS_PROVIDER', message: 'Technitium provider tdns, zone other.test: add _acme-challenge.other.test failed: No such zone was found: other.test' });
    } finally {
      await t.stop();
      await t2.stop();
    }
  });
});
