import type { ZoneLister } from '../dns-provider.js';
import { RRsetProvider } from '../rrset-provider.js';
import type { ApiZone } from '../zone-walk.js';
import { DesecClient } from './desec-client.js';
import type { DesecOptions } from './desec-options.js';

/** deSEC (desec.io): RRsets read and written whole, one name at a time; zones listed. */
export class DesecProvider extends RRsetProvider<ApiZone> implements ZoneLister {
  private readonly client: DesecClient;

  constructor(opts: DesecOptions) {
    const client = new DesecClient(opts);
    super(opts.id, `deSEC provider ${opts.id}`, client);
    this.client = client;
  }

  listZones(signal: AbortSignal): Promise<string[]> {
    return this.client.listZones(signal);
  }
}
