import { homedir } from 'node:os';
import { canonicalName, isInZone } from '../../dns-name.js';
import { CertfleetError } from '../../errors.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from '../dns-provider.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { absoluteRRsetName, recordsOf, rrsetsOf } from '../rrset.js';
import { quoteTxt, unquoteTxt } from '../txt-presentation.js';
import { appendToTxtSet, deleteFromTxtSet, editPerTxtName, type TxtSetEdit } from '../txt-set-edit.js';
import { ZoneListing } from '../zone-walk.js';
import { ROUTE53_API, Route53Client, type Change, type HostedZone } from './route53-client.js';
import { AwsCredentialChain } from './route53-credentials.js';
import type { Route53Options } from './route53-options.js';

/** Values whose last field is a host name, which Route 53 gives back with the trailing dot. */
const HOST_TYPES = new Set(['CNAME', 'NS', 'PTR', 'MX', 'SRV']);

/**
 * Route 53: a TXT name is one resource record set, so an append or delete reads the set and
 * writes it whole (UPSERT, or DELETE of the exact set when the last value goes), serialised per
 * name in this process. The hosted zone is found by name among the account's zones (public, or
 * private with `privateZone`); the name certfleet hands over may be below it.
 */
export class Route53Provider implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  private readonly client: Route53Client;
  private readonly label: string;
  private readonly zones: ZoneListing<HostedZone>;
  private readonly names = new KeyedMutex();

  constructor(private readonly opts: Route53Options) {
    this.id = opts.id;
    this.label = `Route 53 provider ${opts.id}`;
    const credentials = new AwsCredentialChain({
      label: this.label, env: opts.env ?? process.env, home: opts.home ?? homedir(),
      ...(opts.accessKeyId && opts.secretAccessKey ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } : {}),
      ...(opts.sessionToken ? { sessionToken: opts.sessionToken } : {}), ...(opts.profile ? { profile: opts.profile } : {}),
      ...(opts.stsUrl ? { stsUrl: opts.stsUrl } : {}), ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    this.client = new Route53Client(this.label, opts.apiUrl ?? ROUTE53_API, credentials, opts.fetch);
    const wantPrivate = opts.privateZone ?? false;
    this.zones = new ZoneListing({
      list: async (signal) => (await this.client.listHostedZones(signal)).filter((z) => z.private === wantPrivate),
      name: (z) => z.name,
      notFound: (zone, zones) => new CertfleetError('DNS_ZONE_NOT_FOUND', `${this.label}: no ${wantPrivate ? 'private' : 'public'} hosted zone holds ${zone} (the credentials see: ${zones.map((z) => z.name).join(', ') || 'none'})`),
    });
  }

  appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.editTxt(zone, records, signal, appendToTxtSet);
  }

  deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.editTxt(zone, records, signal, deleteFromTxtSet);
  }

  async listZones(signal: AbortSignal): Promise<string[]> {
    return (await this.zones.all(signal)).map((z) => z.name);
  }

  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const hz = await this.zones.find(zone, signal);
    const sets = (await this.client.listRecordSets(hz, signal)).filter((s) => !s.special && s.type !== 'SOA' && isInZone(s.name, zone));
    return recordsOf(zone, sets.map((s) => ({ name: s.name, type: s.type, ttl: s.ttl, values: s.values.map((v) => hostValue(s.type, v)) })));
  }

  /** One ChangeBatch: UPSERT of each set, DELETE (of exactly what is there) of each cleared one. */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const replace = rrsetsOf(zone, records);
    if (replace.length === 0 && clear.length === 0) return [];
    const hz = await this.zones.find(zone, signal);
    const changes: Change[] = replace.map((set) => ({ action: 'UPSERT', set: set.type === 'TXT' ? { ...set, values: set.values.map((v) => txtValue(unquoteTxt(v))) } : set }));
    if (clear.length) {
      const current = await this.client.listRecordSets(hz, signal);
      const replaced = new Set(replace.map((r) => `${r.name} ${r.type}`));
      for (const c of clear.map((r) => absoluteRRsetName(zone, r))) {
        const there = current.find((s) => !s.special && s.name === c.name && s.type === c.type);
        if (there && !replaced.has(`${c.name} ${c.type}`)) changes.push({ action: 'DELETE', set: there });
      }
    }
    if (changes.length) await this.client.changeRecordSets(hz, changes, signal);
    return recordsOf(zone, replace);
  }

  private async editTxt(zone: string, records: DnsRecord[], signal: AbortSignal, edit: (current: string[], records: DnsRecord[]) => TxtSetEdit): Promise<DnsRecord[]> {
    const hz = await this.zones.find(zone, signal);
    return editPerTxtName(zone, records, this.names, hz.id, async (fqdn, recs) => {
      const set = (await this.client.listRecordSets(hz, signal)).find((s) => !s.special && s.name === fqdn && s.type === 'TXT');
      const result = edit((set?.values ?? []).map(unquoteTxt), recs);
      if (result.changed.length === 0) return [];
      const change: Change = result.values.length === 0 && set
        // DELETE must name the set exactly as it is (TTL and values) or Route 53 refuses it.
        ? { action: 'DELETE', set }
        : { action: 'UPSERT', set: { name: fqdn, type: 'TXT', ttl: set?.ttl ?? recs[0]!.ttl, values: result.values.map(txtValue) } };
      await this.client.changeRecordSets(hz, [change], signal);
      return result.changed;
    });
  }

}

/** A TXT text as Route 53 takes it: quoted strings of at most 255 characters each (it refuses longer ones). */
function txtValue(text: string): string {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += 255) parts.push(quoteTxt(text.slice(i, i + 255)));
  return parts.length ? parts.join(' ') : quoteTxt('');
}

/** A value as certfleet spells it: host names without the trailing dot Route 53 gives them. */
function hostValue(type: string, value: string): string {
  if (!HOST_TYPES.has(type)) return value;
  const fields = value.split(/\s+/);
  fields[fields.length - 1] = canonicalName(fields[fields.length - 1]!);
  return fields.join(' ');
}
