import { hetznerProvider, HetznerProvider } from '../../src/dns/hetzner/hetzner-provider.js';
import { startFakeHetzner } from '../support/fake-hetzner.js';
import { startFakeHetznerConsole } from '../support/fake-hetzner-console.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { describeRecordedProvider, describeRecordSets } from '../support/provider-record-sets.js';

// Record names and types are path parameters of the RRset paths: the recorded ones and this test's.
const names = new Set(['localhost', 'docs', 'host']);
const types = new Set(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT']);

describeRecordedProvider({
  label: 'hetzner (Cloud API)',
  cassettes: 'hetzner',
  setup: async () => {
    // Small pages, so that the paging is exercised (the recorded page holds 25).
    const fake = await startFakeHetzner(['example.test', 'other.test'], { perPage: 5 });
    const provider = new HetznerProvider({ id: 'hz', api: 'cloud', apiToken: fake.token, apiUrl: fake.url, actionPollMs: 1 });
    return { provider, zone: 'example.test', txt: (fqdn) => Promise.resolve(fake.txt(fqdn)), stop: () => fake.stop(), seen: fake.server.seen };
  },
  mustSee: [/^GET \/v1\/zones\/actions\/\d+$/, /^GET \/v1\/zones\/\d+\/rrsets\?page=2$/],
  documented: [
    // Paging of RRsets is documented; the recorded zone never filled a page.
    'GET v1/zones/*/rrsets: query key page was never recorded (recorded: type, name)',
    // GET /v1/zones (listZones) is in Hetzner's API reference, but no cassette records it.
    'GET v1/zones: no recorded request has this method and path',
  ],
  shapes: { isVariable: (s) => names.has(s) || types.has(s) },
});

// No recordings of the DNS Console API exist: its fake is written from the documentation.
const consoleFixture = async () => {
  const fake = await startFakeHetznerConsole(['example.test', 'other.test'], { perPage: 5 });
  const provider = hetznerProvider({ id: 'hzc', api: 'console', apiToken: fake.token, apiUrl: fake.url });
  if (provider instanceof HetznerProvider) throw new Error('api: console must give the per-value provider');
  return { provider, zone: 'example.test', txt: (fqdn: string) => Promise.resolve(fake.table.txt(fqdn)), stop: () => fake.stop() };
};
describeProviderConformance('hetzner (DNS Console API, against a fake written from its documentation)', consoleFixture);
describeRecordSets('hetzner (DNS Console API)', consoleFixture);
