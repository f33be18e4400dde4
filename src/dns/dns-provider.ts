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

/** `fqdn` relative to `zone` ('@' for the apex); both without trailing dots. */
export function relativeName(fqdn: string, zone: string): string {
  const f = fqdn.toLowerCase().replace(/\.$/, '');
  const z = zone.toLowerCase().replace(/\.$/, '');
  if (f === z) return '@';
  if (!f.endsWith(`.${z}`)) throw new Error(`${fqdn} is not inside zone ${zone}`);
  return f.slice(0, -(z.length + 1));
}

export function absoluteName(name: string, zone: string): string {
  const z = zone.replace(/\.$/, '');
  return name === '@' || name === '' ? z : `${name}.${z}`;
}
