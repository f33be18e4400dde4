import { ListingPerValueProvider } from '../per-value-provider.js';
import type { ApiZone } from '../zone-walk.js';
import { DnsimpleClient } from './dnsimple-client.js';
import type { DnsimpleOptions } from './dnsimple-options.js';

/** DNSimple: one record per value, listed by name, created and deleted one by one; zones listed. */
export function dnsimpleProvider(opts: DnsimpleOptions): ListingPerValueProvider<ApiZone> {
  return new ListingPerValueProvider({ id: opts.id, label: `DNSimple provider ${opts.id}`, api: new DnsimpleClient(opts) });
}
