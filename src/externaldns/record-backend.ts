import { canGetRecords, canSetRecords, type DnsProvider, type RecordGetter, type RecordSetter, type ZoneLister } from '../dns/dns-provider.js';

/**
 * What the ExternalDNS webhook needs of a DNS provider: read every record of a zone and set whole
 * RRsets (one transaction per zone where the provider allows); listing zones is optional (without
 * it, or when it lists none, the domain filter's names are the zones).
 */
export type RecordBackend = Pick<DnsProvider, 'id' | 'maxTtl'> & RecordGetter & RecordSetter & Partial<ZoneLister>;

export function isRecordBackend<P extends Pick<DnsProvider, 'id'>>(p: P): p is P & RecordBackend {
  return canGetRecords(p) && canSetRecords(p);
}
