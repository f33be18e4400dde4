/** A DNS record with a name relative to its zone ('@' is the apex); modelled on libdns. */
export interface DnsRecord {
  name: string;
  type: string;
  data: string;
  ttl: number;
}

/** Writes and deletes records in one DNS zone through one API. */
export interface DnsProvider {
  readonly id: string;
  /** Adds the records, keeping any other values already at the same name and type. Returns what was added. */
  appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]>;
  /** Deletes exactly these values; deleting what is not there is not an error. */
  deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]>;
  getRecords?(zone: string, signal: AbortSignal): Promise<DnsRecord[]>;
}

export { absoluteName, relativeName } from '../dns-name.js';
