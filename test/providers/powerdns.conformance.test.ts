import { PowerDnsProvider } from '../../src/dns/powerdns.js';
import { describeProviderConformance } from '../../src/testing/provider-conformance.js';
import { startPowerDns } from '../../src/testing/powerdns-server.js';
import { txtReader } from '../../src/testing/update-dns-servers.js';

describeProviderConformance('powerdns (HTTP API, sqlite3 backend)', async () => {
  const pdns = await startPowerDns(['example.test']);
  return {
    provider: new PowerDnsProvider({ id: 'pdns-test', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey }),
    zone: 'example.test',
    txt: txtReader(pdns.dnsAddress),
    stop: pdns.stop,
  };
});
