/**
 * A DNS record with a name relative to its zone ('@' is the apex); modelled on libdns. `data` is
 * the record's presentation text with host names absolute and without the trailing dot
 * (`10 mail.example.com` for an MX), except TXT, whose `data` is the text itself, unquoted.
 */
export interface DnsRecord {
  name: string;
  type: string;
  data: string;
  ttl: number;
}

/** One RRset named by its owner (zone-relative, as in DnsRecord) and type. */
export interface RRsetName { name: string; type: string }

/*
 * The capabilities, libdns style: one method each, and a type guard for each optional one, so a
 * consumer asks what a provider can do instead of casting. Every provider returns what it did,
 * never simply its input.
 */

export interface RecordAppender {
  /**
   * Adds the records, keeping any other values already at the same name and type. Returns exactly
   * the records it created: a value already present is not created and not returned.
   */
  appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]>;
}

export interface RecordDeleter {
  /** Deletes exactly these values. Returns only the records it deleted; a value not there is not returned and is no error. */
  deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]>;
}

export interface RecordGetter {
  /** Every record of the zone (disabled ones left out). */
  getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]>;
}

export interface RecordSetter {
  /**
   * The RRsets named by `records` (each name and type present) become exactly these records, and
   * the RRsets in `clear` are deleted, in one transaction where the provider's API has one.
   * Returns the records it set.
   */
  setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear?: RRsetName[]): Promise<DnsRecord[]>;
}

export interface ZoneLister {
  /** The zones the provider's credentials can reach, lower case, without the trailing dot. */
  listZones(signal: AbortSignal): Promise<string[]>;
}

/** What DNS-01 needs, and every provider has: append and delete; the other capabilities are optional. */
export interface DnsProvider extends RecordAppender, RecordDeleter {
  readonly id: string;
  /** The largest TTL the provider's API accepts, when it is below DNS's 2147483647. */
  readonly maxTtl?: number;
}

export function canGetRecords<P extends object>(p: P): p is P & RecordGetter {
  return typeof (p as Partial<RecordGetter>).getRecords === 'function';
}

export function canSetRecords<P extends object>(p: P): p is P & RecordSetter {
  return typeof (p as Partial<RecordSetter>).setRecords === 'function';
}

export function canListZones<P extends object>(p: P): p is P & ZoneLister {
  return typeof (p as Partial<ZoneLister>).listZones === 'function';
}

