import { CertfleetError } from '../../errors.js';
import { absoluteName, canonicalName, isInZone, withTrailingDot } from '../../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from '../dns-provider.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { changeValues, dataOfValue, zoneFileValue } from '../record-values.js';
import { absoluteRRsetName, recordsOf, rrsetsOf } from '../rrset.js';
import { recordsByRRset } from '../record-groups.js';
import { ZoneListing } from '../zone-walk.js';
import { MetadataTokenSource, parseServiceAccountKey, ServiceAccountTokenSource, type AccessTokenSource } from './google-auth.js';
import { GoogleCloudDnsClient, type ManagedZone, type ResourceRecordSet } from './google-cloud-dns-client.js';
import { GOOGLE_CLOUD_DNS_API, GOOGLE_METADATA_URL, type GoogleCloudDnsOptions } from './google-cloud-dns-options.js';

/** Tries of one RRset change when another writer changed the RRset between our read and our change. */
const CHANGE_TRIES = 5;

/**
 * Google Cloud DNS API v1 with fetch and node:crypto (the client libraries are tens of MB for
 * four calls). A TXT name is one record set: appending or deleting a value is a change that
 * deletes the set as read and adds it with the values it should have, so the other values
 * survive and a concurrent writer makes the change fail instead of being overwritten.
 */
export class GoogleCloudDnsProvider implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  private readonly client: GoogleCloudDnsClient;
  private readonly label: string;
  private readonly locks = new KeyedMutex();
  private readonly zones: ZoneListing<ManagedZone>;

  constructor(opts: GoogleCloudDnsOptions) {
    this.id = opts.id;
    this.label = `Google Cloud DNS provider ${opts.id}`;
    const now = opts.now ?? Date.now;
    const fetch = opts.fetch ? { fetch: opts.fetch } : {};
    let tokens: AccessTokenSource;
    let project: (signal: AbortSignal) => Promise<string>;
    if (opts.serviceAccountKey !== undefined) {
      const key = parseServiceAccountKey(opts.serviceAccountKey, this.label);
      tokens = new ServiceAccountTokenSource(key, { label: this.label, now, ...fetch, ...(opts.tokenUrl ? { tokenUrl: opts.tokenUrl } : {}) });
      const p = opts.project ?? key.project_id;
      if (!p) throw new CertfleetError('CONFIG_INVALID', `${this.label}: project: the key has no project_id; give the project`);
      project = () => Promise.resolve(p);
    } else {
      const metadata = new MetadataTokenSource({ label: this.label, metadataUrl: opts.metadataUrl ?? GOOGLE_METADATA_URL, now, ...fetch });
      tokens = metadata;
      let asked: Promise<string> | undefined;
      project = (signal) => (opts.project ? Promise.resolve(opts.project) : (asked ??= metadata.project(signal).catch((err: unknown) => { asked = undefined; throw err; })));
    }
    this.client = new GoogleCloudDnsClient({ label: this.label, apiUrl: opts.apiUrl ?? GOOGLE_CLOUD_DNS_API, tokens, project, ...fetch });
    // By dnsName, a public zone before a private one of the same name; listed again once when no
    // zone holds the name (one added since).
    this.zones = new ZoneListing({
      list: (s) => this.client.managedZones(s),
      name: (z) => z.dnsName,
      pick: (named) => named.find((z) => z.visibility !== 'private') ?? named[0],
      refresh: true,
      notFound: (zone) => new CertfleetError('DNS_ZONE_NOT_FOUND', `${this.label}: no managed zone for ${zone} in the project (or the service account may not list it)`),
    });
  }

  appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.changeEach(zone, records, 'append', signal);
  }

  deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.changeEach(zone, records, 'delete', signal);
  }

  async listZones(signal: AbortSignal): Promise<string[]> {
    return (await this.client.managedZones(signal)).map((z) => canonicalName(z.dnsName));
  }

  /** Every record set of the zone (SOA and NS included); host names without the trailing dot. */
  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const mz = await this.zones.find(zone, signal);
    const sets = await this.client.rrsets(mz, signal);
    // recordsOf takes presentation values: TXT stays quoted as stored, host names lose the dot.
    return recordsOf(zone, sets.filter((s) => isInZone(s.name, zone)).map((s) => ({ name: canonicalName(s.name), type: s.type, ttl: s.ttl, values: s.rrdatas.map((v) => (s.type === 'TXT' ? v : dataOfValue(s.type, v))) })));
  }

  /** One change for all of it: Cloud DNS applies a change atomically. */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const replace = rrsetsOf(zone, records);
    if (replace.length === 0 && clear.length === 0) return [];
    const mz = await this.zones.find(zone, signal);
    const gone = new Set([...clear.map((r) => absoluteRRsetName(zone, r)), ...replace].map((r) => `${r.name} ${r.type}`));
    for (let attempt = 1; ; attempt++) {
      const current = await this.client.rrsets(mz, signal);
      const deletions = current.filter((s) => gone.has(`${canonicalName(s.name)} ${s.type}`)).map(asWritten);
      const additions = replace.map((r) => ({ name: withTrailingDot(r.name), type: r.type, ttl: r.ttl, rrdatas: r.values.map((v) => zoneFileValue(r.type, v)) }));
      const result = await this.client.change(mz, { additions, deletions }, signal);
      if (result.applied) return recordsOf(zone, replace);
      if (attempt >= CHANGE_TRIES) throw this.conflict(zone, result.reason);
    }
  }

  private async changeEach(zone: string, records: DnsRecord[], kind: 'append' | 'delete', signal: AbortSignal): Promise<DnsRecord[]> {
    const mz = await this.zones.find(zone, signal);
    const done: DnsRecord[] = [];
    for (const group of recordsByRRset(zone, records)) {
      const name = withTrailingDot(canonicalName(absoluteName(group[0]!.name, zone)));
      const type = group[0]!.type;
      done.push(...await this.locks.run(`${mz.id} ${name} ${type}`, () => this.changeRRset(zone, mz, name, type, group, kind, signal)));
    }
    return done;
  }

  /** Read the RRset, change it as read; re-read when another writer got there first. */
  private async changeRRset(zone: string, mz: ManagedZone, name: string, type: string, records: DnsRecord[], kind: 'append' | 'delete', signal: AbortSignal): Promise<DnsRecord[]> {
    for (let attempt = 1; ; attempt++) {
      const current = (await this.client.rrsets(mz, signal, { name, type })).find((s) => canonicalName(s.name) === canonicalName(name) && s.type === type);
      const { changed, values } = changeValues(zone, kind, records, current?.rrdatas ?? []);
      if (changed.length === 0) return [];
      const additions: ResourceRecordSet[] = values.length ? [{ name, type, ttl: current?.ttl ?? records[0]!.ttl, rrdatas: values }] : [];
      const result = await this.client.change(mz, { additions, deletions: current ? [asWritten(current)] : [] }, signal);
      if (result.applied) return changed;
      if (attempt >= CHANGE_TRIES) throw this.conflict(zone, result.reason);
    }
  }

  private conflict(zone: string, reason: string): CertfleetError {
    return new CertfleetError('DNS_PROVIDER', `${this.label}, zone ${zone}: the record set kept changing under us (${reason}); another writer?`, { retryable: true });
  }
}

/** An RRset as a change names it: the fields of the request, not those the answer adds (kind). */
function asWritten(s: ResourceRecordSet): ResourceRecordSet {
  return { name: s.name, type: s.type, ttl: s.ttl, rrdatas: s.rrdatas };
}
