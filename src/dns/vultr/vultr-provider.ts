import { PerValueProvider } from '../per-value-provider.js';
import { VultrClient } from './vultr-client.js';
import type { VultrOptions } from './vultr-options.js';

/** Vultr's DNS: one record per value. */
export function vultrProvider(opts: VultrOptions): PerValueProvider<string> {
  return new PerValueProvider({ id: opts.id, label: `Vultr provider ${opts.id}`, api: new VultrClient(opts) });
}
