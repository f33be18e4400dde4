import { ListingPerValueProvider } from '../per-value-provider.js';
import type { ApiZone } from '../zone-walk.js';
import { VultrClient } from './vultr-client.js';
import type { VultrOptions } from './vultr-options.js';

/** Vultr's DNS: one record per value. */
export function vultrProvider(opts: VultrOptions): ListingPerValueProvider<ApiZone> {
  return new ListingPerValueProvider({ id: opts.id, label: `Vultr provider ${opts.id}`, api: new VultrClient(opts) });
}
