import type { ZoneLister } from '../dns-provider.js';
import { PerNameProvider } from '../per-name-provider.js';
import { InfomaniakClient, type InfomaniakZone } from './infomaniak-client.js';
import type { InfomaniakOptions } from './infomaniak-options.js';

/** Infomaniak: one record per value, created and deleted one by one; domains listed. */
export class InfomaniakProvider extends PerNameProvider<InfomaniakZone> implements ZoneLister {
  private readonly client: InfomaniakClient;

  constructor(opts: InfomaniakOptions) {
    const client = new InfomaniakClient(opts);
    super(opts.id, `Infomaniak provider ${opts.id}`, client);
    this.client = client;
  }

  listZones(signal: AbortSignal): Promise<string[]> {
    return this.client.listZones(signal);
  }
}
