import { withoutTrailingDot, withTrailingDot } from '../dns-name.js';
import type { DnsRecord } from './dns-provider.js';
import { foundIn, missingFrom, recordKey } from './rrset.js';
import { quoteTxt, unquoteTxt } from './txt-presentation.js';

/*
 * Record values between DnsRecord's form (host names without the trailing dot, TXT unquoted) and
 * the zone-file form the record-set APIs (Google Cloud DNS, Gandi LiveDNS) store: host names
 * absolute with the dot, TXT quoted.
 */

/** Types whose data ends in a host name that a zone file writes with a trailing dot. */
const HOST_TYPES = new Set(['CNAME', 'NS', 'MX', 'SRV', 'PTR', 'DNAME']);

/** A stored value as DnsRecord's data. */
export function dataOfValue(type: string, value: string): string {
  if (type === 'TXT') return unquoteTxt(value);
  return HOST_TYPES.has(type) ? withoutTrailingDot(value) : value;
}

/** A presentation value (TXT already quoted, as rrsetsOf gives it) in zone-file form. */
export function zoneFileValue(type: string, value: string): string {
  return HOST_TYPES.has(type) ? withTrailingDot(value) : value;
}

/** A record's data in zone-file form. */
export function valueOfRecord(r: DnsRecord): string {
  return r.type === 'TXT' ? quoteTxt(r.data) : zoneFileValue(r.type, r.data);
}

/**
 * An append to, or a delete from, one RRset's stored values: what changes (exactly the values
 * not yet there, or those there) and the RRset's values afterwards, the others kept as stored.
 * `records` share one name and type.
 */
export function changeValues(zone: string, kind: 'append' | 'delete', records: DnsRecord[], stored: string[]): { changed: DnsRecord[]; values: string[] } {
  const first = records[0];
  if (!first) return { changed: [], values: stored };
  const keyOf = (v: string) => recordKey(zone, { ...first, data: dataOfValue(first.type, v) });
  const present = new Set(stored.map(keyOf));
  if (kind === 'append') {
    const changed = missingFrom(zone, records, present);
    return { changed, values: [...stored, ...changed.map(valueOfRecord)] };
  }
  const changed = foundIn(zone, records, present);
  const gone = new Set(changed.map((r) => recordKey(zone, r)));
  return { changed, values: stored.filter((v) => !gone.has(keyOf(v))) };
}
