import { PerValueProvider } from '../per-value-provider.js';
import type { ApiZone } from '../zone-walk.js';
import { PorkbunClient } from './porkbun-client.js';
import type { PorkbunOptions } from './porkbun-options.js';

/** Porkbun: one record per value, created and deleted one by one; no zone list (none recorded). */
export function porkbunProvider(opts: PorkbunOptions): PerValueProvider<ApiZone> {
  return new PerValueProvider({ id: opts.id, label: `Porkbun provider ${opts.id}`, api: new PorkbunClient(opts) });
}
