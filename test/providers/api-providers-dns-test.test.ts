import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load-config.js';
import { createProvider } from '../../src/dns/create-provider.js';
import type { DnsLookup } from '../../src/dns/dns-lookup.js';
import { dnsTest } from '../../src/dns/dns-test.js';
import type { FakeApi } from '../support/describe-api-provider.js';
import { startFakeDesec } from '../support/fake-desec.js';
import { startFakeDnsimple } from '../support/fake-dnsimple.js';
import { startFakeGodaddy } from '../support/fake-godaddy.js';
import { startFakeInfomaniak } from '../support/fake-infomaniak.js';
import { startFakePorkbun } from '../support/fake-porkbun.js';
import { captureLog } from '../support/test-log.js';

/** Each provider's fake and the config entry that reaches it, as a user would write it. */
const cases: [string, () => Promise<FakeApi & { options: Record<string, unknown> }>][] = [
  ['desec', async () => { const f = await startFakeDesec(['example.test']); return Object.assign(f, { options: { type: 'desec', token: f.token, api_url: f.url } }); }],
  ['porkbun', async () => { const f = await startFakePorkbun(['example.test']); return Object.assign(f, { options: { type: 'porkbun', api_key: f.apiKey, secret_api_key: f.secretApiKey, api_url: f.url } }); }],
  ['godaddy', async () => { const f = await startFakeGodaddy(['example.test']); return Object.assign(f, { options: { type: 'godaddy', api_key: f.key, api_secret: f.secret, api_url: f.url } }); }],
  ['dnsimple', async () => { const f = await startFakeDnsimple(['example.test']); return Object.assign(f, { options: { type: 'dnsimple', token: f.token, api_url: f.url } }); }],
  ['infomaniak', async () => { const f = await startFakeInfomaniak(['example.test']); return Object.assign(f, { options: { type: 'infomaniak', token: f.token, api_url: f.url } }); }],
];

/** DNS as the fake API's zone would serve it: example.test is the zone, its one server answers the fake's TXT records. */
const lookupOf = (fake: FakeApi): DnsLookup => ({
  soa: (name) => Promise.resolve(name === 'example.test'),
  ns: () => Promise.resolve(['ns1.example.test']),
  addresses: () => Promise.resolve(['127.0.0.1']),
  cname: () => Promise.resolve(undefined),
  txtAt: (_server, name) => Promise.resolve(fake.txt(name)),
});

describe('certfleet dns-test with each API provider, from its config entry', () => {
  it.each(cases)('%s: locate, write, propagation and delete all succeed, nothing left', async (_type, start) => {
    const fake = await start();
    try {
      const config = parseConfig(stringify({
        acme: { directory: 'https://127.0.0.1:14000/dir', email: 'admin@example.test' },
        store: { path: '/tmp/x' },
        dns: { providers: { p: { ...fake.options, propagation: { nameservers: ['192.0.2.53:53'], timeout: '10s' } } } },
        certificates: [{ domains: ['www.example.test'], dns: 'p' }],
      }), 'c.yaml');
      const pcfg = config.dns.providers.p!;
      const provider = await createProvider('p', pcfg, { log: captureLog().log });
      const steps = await dnsTest(provider, pcfg, 'www.example.test', { lookup: lookupOf(fake) }, AbortSignal.timeout(20_000));
      expect(steps.map((s) => `${s.step} ${s.ok ? 'ok' : s.detail}`)).toEqual(['locate ok', 'write ok', 'propagation ok', 'delete ok']);
      expect(fake.txt('_acme-challenge.www.example.test')).toEqual([]);
    } finally {
      await fake.stop();
    }
  });
});
