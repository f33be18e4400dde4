import { RRsetProvider } from '../rrset-provider.js';
import type { ApiZone } from '../zone-walk.js';
import { GodaddyClient } from './godaddy-client.js';
import type { GodaddyOptions } from './godaddy-options.js';

/** GoDaddy: each type and name read and replaced whole, one name at a time; no zone list (none recorded). */
export class GodaddyProvider extends RRsetProvider<ApiZone> {
  constructor(opts: GodaddyOptions) {
    super(opts.id, `GoDaddy provider ${opts.id}`, new GodaddyClient(opts));
  }
}
