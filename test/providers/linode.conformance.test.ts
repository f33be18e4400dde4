import { linodeProvider } from '../../src/dns/linode/linode-provider.js';
import { startFakeLinode } from '../support/fake-linode.js';
import { describeRecordedProvider } from '../support/provider-record-sets.js';

describeRecordedProvider({
  label: 'linode',
  cassettes: 'linode',
  setup: async () => {
    // Small pages, so that the paging is exercised (Linode's default page holds 100).
    const fake = await startFakeLinode(['example.test', 'other.test'], { perPage: 5 });
    const provider = linodeProvider({ id: 'li', apiToken: fake.token, apiUrl: fake.url });
    return { provider, zone: 'example.test', txt: (fqdn) => Promise.resolve(fake.table.txt(fqdn)), stop: () => fake.stop(), seen: fake.server.seen };
  },
  mustSee: [/^GET \/v4\/domains\/\d+\/records\?page=2$/],
  // Linode's paging parameter is documented; the recorded zone never filled a page.
  documented: ['GET v4/domains/*/records: query key page was never recorded (recorded: none)'],
});
