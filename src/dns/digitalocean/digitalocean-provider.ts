import { ListingPerValueProvider } from '../per-value-provider.js';
import type { ApiZone } from '../zone-walk.js';
import { DigitalOceanClient } from './digitalocean-client.js';
import type { DigitalOceanOptions } from './digitalocean-options.js';

/** DigitalOcean's DNS: one record per value; its API refuses TTLs below 30 seconds. */
export function digitalOceanProvider(opts: DigitalOceanOptions): ListingPerValueProvider<ApiZone> {
  return new ListingPerValueProvider({ id: opts.id, label: `DigitalOcean provider ${opts.id}`, api: new DigitalOceanClient(opts), minTtl: 30 });
}
