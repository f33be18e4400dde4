import { ListingPerValueProvider } from '../per-value-provider.js';
import { LinodeClient, type LinodeZone } from './linode-client.js';
import type { LinodeOptions } from './linode-options.js';

/** Linode's DNS Manager: one record per value. */
export function linodeProvider(opts: LinodeOptions): ListingPerValueProvider<LinodeZone> {
  return new ListingPerValueProvider({ id: opts.id, label: `Linode provider ${opts.id}`, api: new LinodeClient(opts) });
}
