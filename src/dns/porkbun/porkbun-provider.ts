import { PerNameProvider } from '../per-name-provider.js';
import type { ApiZone } from '../zone-walk.js';
import { PorkbunClient } from './porkbun-client.js';
import type { PorkbunOptions } from './porkbun-options.js';

/** Porkbun: one record per value, created and deleted one by one; no zone list (none recorded). */
export class PorkbunProvider extends PerNameProvider<ApiZone> {
  constructor(opts: PorkbunOptions) {
    super(opts.id, `Porkbun provider ${opts.id}`, new PorkbunClient(opts));
  }
}
