import { canonicalName } from '../dns-name.js';
import { CertfleetError } from '../errors.js';
import type { DnsLookup } from './dns-lookup.js';

/** The apex of the zone that holds `name`: walk up the labels until one has an SOA (as lego and certmagic do). */
export async function findZone(lookup: DnsLookup, name: string, signal: AbortSignal): Promise<string> {
  const labels = canonicalName(name).split('.');
  for (let i = 0; i < labels.length - 1; i++) {
    const candidate = labels.slice(i).join('.');
    if (await lookup.soa(candidate, signal)) return candidate;
  }
  throw new CertfleetError('DNS_ZONE_NOT_FOUND', `no zone found for ${name}: no SOA record at any of its parent names`);
}
