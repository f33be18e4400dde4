import { canonicalName } from '../dns-name.js';
import { CertfleetError } from '../errors.js';

/**
 * A zone as the provider's API knows it: its apex name, whatever the API needs to address it (an
 * id), and the API's smallest TTL, which writes are raised to (a DNS-01 record's TTL matters less
 * than its being accepted).
 */
export interface ApiZone { name: string; minTtl?: number }

/** A TTL raised to the zone's minimum. */
export function zoneTtl(zone: ApiZone, ttl: number): number {
  return Math.max(ttl, zone.minTtl ?? 0);
}

/**
 * Finds the provider's zone for a name certfleet hands over, which may lie below it (an
 * undelegated label): asks for the name itself, then each parent. The answer is kept per name;
 * a failed lookup is not, so the next call asks again.
 */
export class ZoneWalk<Z extends ApiZone> {
  private readonly found = new Map<string, Promise<Z>>();

  constructor(private readonly label: string, private readonly probe: (candidate: string, signal: AbortSignal) => Promise<Z | undefined>) {}

  find(zone: string, signal: AbortSignal): Promise<Z> {
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
      const hit = await this.probe(labels.slice(i).join('.'), signal);
      if (hit) return hit;
    }
    throw new CertfleetError('DNS_ZONE_NOT_FOUND', `${this.label}: no zone for ${zone} in this account (or the credentials cannot see it)`);
  }
}
