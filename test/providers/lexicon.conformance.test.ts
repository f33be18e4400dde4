import { BatchingProvider } from '../../src/dns/batching-provider.js';
import { LexiconProvider } from '../../src/dns/lexicon/lexicon-provider.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { startPowerDns } from '../support/powerdns-server.js';
import { captureLog } from '../support/test-log.js';
import { txtReader } from '../support/update-dns-servers.js';

// dns-lexicon's own powerdns provider (Debian's python3-lexicon), driving the real PowerDNS of the harness.
const lexiconOver = (pdns: { apiUrl: string; apiKey: string }) => new LexiconProvider({
  id: 'lexicon-test', provider: 'powerdns', python: '/usr/bin/python3', timeoutMs: 30_000,
  options: { auth_token: pdns.apiKey, pdns_server: pdns.apiUrl },
  log: captureLog().log,
});

describeProviderConformance('lexicon (its powerdns provider, real PowerDNS)', async () => {
  const pdns = await startPowerDns(['example.test']);
  return { provider: lexiconOver(pdns), zone: 'example.test', txt: txtReader(pdns.dnsAddress), stop: pdns.stop };
});

// As certfleet runs it: behind the group commit, so concurrent records share one helper process.
describeProviderConformance('batching provider over lexicon', async () => {
  const pdns = await startPowerDns(['example.test']);
  return { provider: new BatchingProvider(lexiconOver(pdns)), zone: 'example.test', txt: txtReader(pdns.dnsAddress), stop: pdns.stop };
});
