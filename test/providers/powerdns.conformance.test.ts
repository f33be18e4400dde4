import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BatchingProvider } from '../../src/dns/batching-provider.js';
import { retryDns } from '../../src/dns/dns-retry.js';
import { PowerDnsProvider } from '../../src/dns/powerdns.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { startPowerDns } from '../support/powerdns-server.js';
import { txtReader } from '../support/update-dns-servers.js';

describeProviderConformance('powerdns (HTTP API, sqlite3 backend)', async () => {
  const pdns = await startPowerDns(['example.test']);
  return {
    provider: new PowerDnsProvider({ id: 'pdns-test', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' }),
    zone: 'example.test',
    txt: txtReader(pdns.dnsAddress),
    stop: pdns.stop,
  };
});

// The group commit in front of a provider must keep its answers: each waiter gets what was done for it.
describeProviderConformance('batching provider over powerdns', async () => {
  const pdns = await startPowerDns(['example.test']);
  return {
    provider: new BatchingProvider(new PowerDnsProvider({ id: 'pdns-test', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' })),
    zone: 'example.test',
    txt: txtReader(pdns.dnsAddress),
    stop: pdns.stop,
  };
});

describe('powerdns: a cleanup during a restart', () => {
  it('is retried through a PowerDNS kill and restart and removes the value', async () => {
    const pdns = await startPowerDns(['example.test']);
    try {
      const provider = new PowerDnsProvider({ id: 'pdns-test', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' });
      const rec = { name: '_acme-challenge.www', type: 'TXT', data: 'restart-value', ttl: 60 };
      await provider.appendRecords('example.test', [rec], AbortSignal.timeout(5000));
      await pdns.kill();
      // Down for longer than the provider's own three attempts last (under a second).
      const back = (async () => { await sleep(1500); await pdns.restart(); })();
      let retries = 0;
      await retryDns((s) => provider.deleteRecords('example.test', [rec], s), AbortSignal.timeout(30_000), { onRetry: () => { retries++; } });
      await back;
      expect(retries).toBeGreaterThan(0);
      expect(await txtReader(pdns.dnsAddress)('_acme-challenge.www.example.test')).toEqual([]);
    } finally {
      await pdns.stop();
    }
  });
});
