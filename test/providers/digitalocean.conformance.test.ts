import { digitalOceanProvider } from '../../src/dns/digitalocean/digitalocean-provider.js';
import { startFakeDigitalOcean } from '../support/fake-digitalocean.js';
import { describeRecordedProvider } from '../support/provider-record-sets.js';

describeRecordedProvider({
  label: 'digitalocean',
  cassettes: 'digitalocean',
  setup: async () => {
    const fake = await startFakeDigitalOcean(['example.test', 'other.test']);
    // 20 records a page, as recorded, and a zone that fills more than one.
    for (let i = 0; i < 20; i++) fake.table.add({ zone: 'example.test', fqdn: `filler${i}.example.test`, type: 'A', value: `192.0.2.${i}`, ttl: 3600, priority: null });
    const provider = digitalOceanProvider({ id: 'do', apiToken: fake.token, apiUrl: fake.url });
    return { provider, zone: 'example.test', txt: (fqdn) => Promise.resolve(fake.table.txt(fqdn)), stop: () => fake.stop(), seen: fake.server.seen };
  },
  mustSee: [/^GET \/v2\/domains\/example\.test\/records\?page=2$/],
  // GET /v2/domains (listZones) is in DigitalOcean's API reference, but no cassette records it.
  documented: ['GET v2/domains: no recorded request has this method and path'],
});
