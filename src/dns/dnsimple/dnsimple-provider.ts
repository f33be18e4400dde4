import type { ZoneLister } from '../dns-provider.js';
import { PerNameProvider } from '../per-name-provider.js';
import type { ApiZone } from '../zone-walk.js';
import { DnsimpleClient } from './dnsimple-client.js';
import type { DnsimpleOptions } from './dnsimple-options.js';

/** DNSimple: one record per value, created and deleted one by one; zones listed. */
export class DnsimpleProvider extends PerNameProvider<ApiZone> implements ZoneLister {
  private readonly client: DnsimpleClient;

  constructor(opts: DnsimpleOptions) {
    const client = new DnsimpleClient(opts);
    super(opts.id, `DNSimple provider ${opts.id}`, client);
    this.client = client;
  }

  listZones(signal: AbortSignal): Promise<string[]> {
    return this.client.listZones(signal);
  }
}
