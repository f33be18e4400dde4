import { vultrProvider } from '../../src/dns/vultr/vultr-provider.js';
import { startFakeVultr } from '../support/fake-vultr.js';
import { describeRecordedProvider } from '../support/provider-record-sets.js';

describeRecordedProvider({
  label: 'vultr',
  cassettes: 'vultr',
  setup: async () => {
    // Small pages, so that the cursor paging is exercised (Vultr's default page holds 100).
    const fake = await startFakeVultr(['example.test', 'other.test'], { perPage: 5 });
    const provider = vultrProvider({ id: 'vu', apiKey: fake.token, apiUrl: fake.url });
    return { provider, zone: 'example.test', txt: (fqdn) => Promise.resolve(fake.table.txt(fqdn)), stop: () => fake.stop(), seen: fake.server.seen };
  },
  mustSee: [/^GET \/v2\/domains\/example\.test\/records\?cursor=/],
  // Vultr's cursor is documented; the recorded zone never filled a page.
  documented: ['GET v2/domains/*/records: query key cursor was never recorded (recorded: none)'],
  shapes: { isVariable: (s) => s === 'lexicon-test.eu' },
});
