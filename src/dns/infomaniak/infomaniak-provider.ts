import { ListingPerValueProvider } from '../per-value-provider.js';
import { InfomaniakClient, type InfomaniakZone } from './infomaniak-client.js';
import type { InfomaniakOptions } from './infomaniak-options.js';

/** Infomaniak: one record per value, created and deleted one by one; domains listed. */
export function infomaniakProvider(opts: InfomaniakOptions): ListingPerValueProvider<InfomaniakZone> {
  return new ListingPerValueProvider({ id: opts.id, label: `Infomaniak provider ${opts.id}`, api: new InfomaniakClient(opts) });
}
