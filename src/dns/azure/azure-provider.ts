import { absoluteName, canonicalName, isInZone, relativeName } from '../../dns-name.js';
import { CertfleetError } from '../../errors.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from '../dns-provider.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { absoluteRRsetName, recordsOf, rrsetsOf, type RRset } from '../rrset.js';
import { unquoteTxt } from '../txt-presentation.js';
import { appendToTxtSet, deleteFromTxtSet, editPerTxtName, type TxtSetEdit } from '../txt-set-edit.js';
import { ZoneListing } from '../zone-walk.js';
import { AzureClient, CHANGED_SINCE_READ, type AzureRecordProperties, type AzureRecordSet } from './azure-client.js';
import type { AzureOptions } from './azure-options.js';

/** Attempts of one read-modify-write when another writer keeps changing the set in between. */
const WRITE_ATTEMPTS = 5;
/** Azure DNS keeps a TXT value as strings of at most 255 characters each. */
const TXT_CHUNK = 255;

/**
 * Azure DNS: a TXT name is one record set, read and written whole (PUT, or DELETE when the last
 * value goes), guarded by its etag so a writer elsewhere in between makes the write fail and be
 * redone instead of losing its value; serialised per name in this process. Zones are those of the
 * configured resource group; the name certfleet hands over may be below one.
 */
export class AzureProvider implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  private readonly label: string;
  private readonly client: AzureClient;
  private readonly zones: ZoneListing<string>;
  private readonly names = new KeyedMutex();

  constructor(private readonly opts: AzureOptions) {
    this.id = opts.id;
    this.label = `Azure DNS provider ${opts.id}`;
    this.client = new AzureClient(this.label, opts);
    this.zones = new ZoneListing({
      list: async (signal) => {
        const zones = await this.client.listZones(signal);
        if (!zones) throw new CertfleetError('DNS_ZONE_NOT_FOUND', `${this.label}: no resource group ${opts.resourceGroup} in subscription ${opts.subscriptionId} (or the identity cannot see it)`);
        return zones.map((z) => canonicalName(z.name));
      },
      name: (z) => z,
      notFound: (zone, zones) => new CertfleetError('DNS_ZONE_NOT_FOUND', `${this.label}: no zone in resource group ${opts.resourceGroup} holds ${zone} (it has: ${zones.join(', ') || 'none'})`),
    });
  }

  appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.editTxt(zone, records, signal, appendToTxtSet);
  }

  deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.editTxt(zone, records, signal, deleteFromTxtSet);
  }

  listZones(signal: AbortSignal): Promise<string[]> {
    return this.zones.all(signal);
  }

  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const azZone = await this.zones.find(zone, signal);
    const sets: RRset[] = [];
    for (const s of await this.client.listRecordSets(azZone, 'recordsets', signal)) {
      const type = s.type.split('/').pop()!;
      const fqdn = canonicalName(absoluteName(s.name, azZone));
      if (type === 'SOA' || s.properties.targetResource?.id || !isInZone(fqdn, zone)) continue;
      sets.push({ name: fqdn, type, ttl: s.properties.TTL ?? 3600, values: valuesOf(type, s.properties) });
    }
    return recordsOf(zone, sets);
  }

  /** One PUT per set and one DELETE per cleared set: Azure DNS has no transaction across sets. */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const replace = rrsetsOf(zone, records);
    if (replace.length === 0 && clear.length === 0) return [];
    const azZone = await this.zones.find(zone, signal);
    for (const set of replace) await this.client.putRecordSet(azZone, set.type, relativeName(set.name, azZone), propertiesOf(this.label, set), signal);
    const replaced = new Set(replace.map((r) => `${r.name} ${r.type}`));
    for (const c of clear.map((r) => absoluteRRsetName(zone, r)).filter((c) => !replaced.has(`${c.name} ${c.type}`))) {
      await this.client.deleteRecordSet(azZone, c.type, relativeName(c.name, azZone), signal);
    }
    return recordsOf(zone, replace);
  }

  private async editTxt(zone: string, records: DnsRecord[], signal: AbortSignal, edit: (current: string[], records: DnsRecord[]) => TxtSetEdit): Promise<DnsRecord[]> {
    const azZone = await this.zones.find(zone, signal);
    return editPerTxtName(zone, records, this.names, azZone, async (fqdn, recs) => {
      const name = relativeName(fqdn, azZone);
      for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        const set = (await this.client.listRecordSets(azZone, 'TXT', signal)).find((s) => s.name.toLowerCase() === name);
        const result = edit(set ? valuesOf('TXT', set.properties).map(unquoteTxt) : [], recs);
        if (result.changed.length === 0) return [];
        const outcome = result.values.length === 0 && set
          ? await this.client.deleteRecordSet(azZone, 'TXT', set.name, signal, set.etag)
          : await this.client.putRecordSet(azZone, 'TXT', set?.name ?? name, { TTL: set?.properties.TTL ?? recs[0]!.ttl, TXTRecords: result.values.map(txtRecord) }, signal, set ? set.etag : null);
        if (outcome !== CHANGED_SINCE_READ) return result.changed;
      }
      throw new CertfleetError('DNS_PROVIDER', `${this.label}: TXT ${fqdn} changed under every one of ${WRITE_ATTEMPTS} writes (another writer at the same name)`, { retryable: true });
    });
  }

}

function txtRecord(text: string): { value: string[] } {
  const value: string[] = [];
  for (let i = 0; i < text.length; i += TXT_CHUNK) value.push(text.slice(i, i + TXT_CHUNK));
  return { value: value.length ? value : [''] };
}

/** A set's values in certfleet's presentation form (TXT quoted, host names without the trailing dot). */
function valuesOf(type: string, p: AzureRecordSet['properties']): string[] {
  const host = canonicalName;
  switch (type) {
    case 'A': return (p.ARecords ?? []).map((r) => r.ipv4Address);
    case 'AAAA': return (p.AAAARecords ?? []).map((r) => r.ipv6Address);
    case 'CNAME': return p.CNAMERecord ? [host(p.CNAMERecord.cname)] : [];
    case 'MX': return (p.MXRecords ?? []).map((r) => `${r.preference} ${host(r.exchange)}`);
    case 'NS': return (p.NSRecords ?? []).map((r) => host(r.nsdname));
    case 'PTR': return (p.PTRRecords ?? []).map((r) => host(r.ptrdname));
    case 'SRV': return (p.SRVRecords ?? []).map((r) => `${r.priority} ${r.weight} ${r.port} ${host(r.target)}`);
    case 'CAA': return (p.CAARecords ?? []).map((r) => `${r.flags} ${r.tag} "${r.value}"`);
    case 'TXT': return (p.TXTRecords ?? []).map((r) => `"${r.value.join('').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
    default: return [];
  }
}

/** The properties of a PUT for one RRset (values as rrsetsOf gives them, TXT quoted). */
function propertiesOf(label: string, set: RRset): AzureRecordProperties {
  const fields = (v: string) => v.trim().split(/\s+/);
  const p: AzureRecordProperties = { TTL: set.ttl };
  switch (set.type) {
    case 'A': return { ...p, ARecords: set.values.map((ipv4Address) => ({ ipv4Address })) };
    case 'AAAA': return { ...p, AAAARecords: set.values.map((ipv6Address) => ({ ipv6Address })) };
    case 'CNAME': return { ...p, CNAMERecord: { cname: set.values[0]! } };
    case 'MX': return { ...p, MXRecords: set.values.map((v) => ({ preference: Number(fields(v)[0]), exchange: fields(v)[1] ?? '' })) };
    case 'NS': return { ...p, NSRecords: set.values.map((nsdname) => ({ nsdname })) };
    case 'PTR': return { ...p, PTRRecords: set.values.map((ptrdname) => ({ ptrdname })) };
    case 'SRV': return { ...p, SRVRecords: set.values.map((v) => { const [priority, weight, port, target] = fields(v); return { priority: Number(priority), weight: Number(weight), port: Number(port), target: target ?? '' }; }) };
    case 'TXT': return { ...p, TXTRecords: set.values.map((v) => txtRecord(unquoteTxt(v))) };
    default: throw new CertfleetError('DNS_PROVIDER', `${label}: record type ${set.type} is not supported for set (A, AAAA, CNAME, MX, NS, PTR, SRV, TXT are)`);
  }
}
