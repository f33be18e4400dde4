import { canonicalName, isInZone } from '../dns-name.js';
import { CertfleetError } from '../errors.js';

/*
 * Finding the provider's zone for a name certfleet hands over. The name may lie below that zone
 * (certfleet's SOA walk can stop at an undelegated label), so every provider looks for the
 * longest zone holding it, in one of two ways: an API that can look a zone up by name is asked
 * for the name and each parent (ZoneWalk); one that can only list its zones is listed once and
 * the longest match taken (ZoneListing).
 */

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

/** The zone among `zones` that holds `name`: the longest one it is in. Undefined when none does. */
export function zoneHolding(name: string, zones: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const z of zones) {
    const c = canonicalName(z);
    if (isInZone(name, c) && (best === undefined || c.length > best.length)) best = c;
  }
  return best;
}

/**
 * Asks for the name itself, then each parent (never the TLD). The answer is kept per name; a
 * failed lookup is not, so the next call asks again.
 */
export class ZoneWalk<Z> {
  private readonly found = new Map<string, Promise<Z>>();

  /**
   * `probe` answers the zone named exactly `candidate`, or undefined when the account has none;
   * `unseen` says why a zone may be missing, for the error.
   */
  constructor(private readonly label: string, private readonly probe: (candidate: string, signal: AbortSignal) => Promise<Z | undefined>, private readonly unseen = 'the credentials cannot see it') {}

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
      if (hit !== undefined) return hit;
    }
    throw new CertfleetError('DNS_ZONE_NOT_FOUND', `${this.label}: no zone for ${zone} in this account (or ${this.unseen})`);
  }
}

export interface ZoneListingOptions<Z> {
  /** Every zone the credentials see (one listing; it is kept until it fails). */
  list(signal: AbortSignal): Promise<Z[]>;
  name(zone: Z): string;
  /** Among zones of the same name, the one to use (default: the first). */
  pick?: (named: Z[]) => Z | undefined;
  /** List again once when no zone holds the name (one added since the listing was kept). */
  refresh?: boolean;
  /** The error when none holds `zone` (canonical), given the zones seen. */
  notFound(zone: string, zones: Z[]): CertfleetError;
}

/** The longest listed zone holding a name, for APIs that cannot look a zone up by name. */
export class ZoneListing<Z> {
  private listing: Promise<Z[]> | undefined;

  constructor(private readonly o: ZoneListingOptions<Z>) {}

  /** The kept listing (a new one when `fresh`, or when the last one failed). */
  all(signal: AbortSignal, fresh = false): Promise<Z[]> {
    if (fresh || !this.listing) {
      const p = this.o.list(signal);
      p.catch(() => { if (this.listing === p) this.listing = undefined; });
      this.listing = p;
    }
    return this.listing;
  }

  async find(zone: string, signal: AbortSignal): Promise<Z> {
    for (let fresh = false; ; fresh = true) {
      const zones = await this.all(signal, fresh);
      const best = zoneHolding(zone, zones.map((z) => this.o.name(z)));
      const named = zones.filter((z) => canonicalName(this.o.name(z)) === best);
      const hit = this.o.pick ? this.o.pick(named) : named[0];
      if (hit !== undefined) return hit;
      if (fresh || !this.o.refresh) throw this.o.notFound(canonicalName(zone), zones);
    }
  }
}
