import { canonicalName, isInZone } from '../dns-name.js';

/**
 * The zone among `zones` that holds `name`: the longest one it is in (certfleet may hand over a
 * name below the provider's zone, e.g. an undelegated label). Undefined when none does.
 */
export function zoneHolding(name: string, zones: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const z of zones) {
    const c = canonicalName(z);
    if (isInZone(name, c) && (best === undefined || c.length > best.length)) best = c;
  }
  return best;
}
