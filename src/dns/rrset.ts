import { absoluteName, canonicalName, relativeName } from '../dns-name.js';
import type { DnsRecord, RRsetName } from './dns-provider.js';
import { quoteTxt, unquoteTxt } from './txt-presentation.js';

/**
 * A whole RRset with an absolute name (lower case, no trailing dot) and its values in
 * presentation form (TXT quoted): the shape the zone-wide APIs (PowerDNS PATCH, RFC 2136 UPDATE,
 * Cloudflare batch, ExternalDNS endpoints) work in.
 */
export interface RRset { name: string; type: string; ttl: number; values: string[] }

/** The records grouped into RRsets (the first record of a set gives its TTL), values deduplicated. */
export function rrsetsOf(zone: string, records: DnsRecord[]): RRset[] {
  const sets = new Map<string, RRset>();
  for (const r of records) {
    const name = canonicalName(absoluteName(r.name, zone));
    const key = `${name} ${r.type}`;
    const set = sets.get(key) ?? { name, type: r.type, ttl: r.ttl, values: [] };
    const value = r.type === 'TXT' ? quoteTxt(r.data) : r.data;
    if (!set.values.includes(value)) set.values.push(value);
    sets.set(key, set);
  }
  return [...sets.values()];
}

/** One record per value of each RRset, names relative to `zone`, TXT unquoted. */
export function recordsOf(zone: string, rrsets: RRset[]): DnsRecord[] {
  return rrsets.flatMap((rr) => rr.values.map((v) => ({ name: relativeName(rr.name, zone), type: rr.type, ttl: rr.ttl, data: rr.type === 'TXT' ? unquoteTxt(v) : v })));
}

/** An RRset name made absolute (lower case, no trailing dot). */
export function absoluteRRsetName(zone: string, r: RRsetName): RRsetName {
  return { name: canonicalName(absoluteName(r.name, zone)), type: r.type };
}

/** A value's identity at an absolute name, for comparing what was asked with what is there. */
export function valueKey(fqdn: string, type: string, data: string): string {
  return `${canonicalName(fqdn)}\n${type}\n${data}`;
}

/** A record's identity (valueKey of its absolute name). */
export function recordKey(zone: string, r: DnsRecord): string {
  return valueKey(absoluteName(r.name, zone), r.type, r.data);
}

/** The records whose value is not yet in `present` (keys from recordKey), each value once. */
export function missingFrom(zone: string, records: DnsRecord[], present: Set<string>): DnsRecord[] {
  const seen = new Set(present);
  return records.filter((r) => {
    const k = recordKey(zone, r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The records whose value is in `present`, each value once. */
export function foundIn(zone: string, records: DnsRecord[], present: Set<string>): DnsRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const k = recordKey(zone, r);
    if (!present.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
