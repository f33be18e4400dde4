import { canonicalName } from '../dns-name.js';
import { CertfleetError } from '../errors.js';

/**
 * The provider's zone that holds a name certfleet hands over: the name itself, else its parents
 * (certfleet's SOA walk may stop below the provider's zone, at an undelegated label). Answers are
 * kept per name; a failed lookup is forgotten so that the next call asks again.
 */
export class ApiZones<Z> {
  private readonly found = new Map<string, Promise<Z>>();

  /** `lookup` answers the zone named exactly `name`, or undefined when the account has none. */
  constructor(private readonly label: string, private readonly lookup: (name: string, signal: AbortSignal) => Promise<Z | undefined>) {}

  get(zone: string, signal: AbortSignal): Promise<Z> {
    const key = canonicalName(zone);
    let p = this.found.get(key);
    if (!p) {
      p = this.walk(key, signal);
      p.catch(() => this.found.delete(key));
      this.found.set(key, p);
    }
    return p;
  }

  private async walk(zone: string, signal: AbortSignal): Promise<Z> {
    const labels = zone.split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const hit = await this.lookup(labels.slice(i).join('.'), signal);
      if (hit !== undefined) return hit;
    }
    throw new CertfleetError('DNS_ZONE_NOT_FOUND', `${this.label}: no zone for ${zone} in this account (or the credentials cannot see it)`);
  }
}
