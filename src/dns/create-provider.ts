import type { ProviderConfig } from '../config/schema.js';
import type { DnsProvider } from './dns-provider.js';
import { PowerDnsProvider } from './powerdns.js';

export function createProvider(id: string, cfg: ProviderConfig): DnsProvider {
  switch (cfg.type) {
    case 'powerdns':
      return new PowerDnsProvider({ id, apiUrl: cfg.api_url, apiKey: cfg.api_key.reveal(), serverId: cfg.server_id });
  }
}
