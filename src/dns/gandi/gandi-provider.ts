import { CertfleetError } from '../../errors.js';
import { absoluteName, canonicalName, isInZone, relativeName } from '../../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from '../dns-provider.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { recordsByRRset } from '../record-groups.js';
import { changeValues, dataOfValue, zoneFileValue } from '../record-values.js';
import { recordsOf, rrsetsOf } from '../rrset.js';
import { GandiClient } from './gandi-client.js';
import { GANDI_LIVEDNS_API, type GandiOptions } from './gandi-options.js';

/**
 * Gandi LiveDNS API v5: a name and type is one RRset, read and then created (POST), replaced
 * (PUT) with the values it should have, or deleted when none are left, under a lock per RRset
 * so that concurrent appends in this process lose nothing. LiveDNS has no compare-and-swap: a
 * writer outside certfleet between the read and the write can be overwritten.
 */
export class GandiProvider implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  /** LiveDNS takes TTLs up to 30 days. */
  readonly maxTtl = 2_592_000;
  /** …and none below 300 s: a shorter one (a challenge's 60 s) is raised to it. */
  static readonly MIN_TTL = 300;
  private readonly client: GandiClient;
  private readonly label: string;
  private readonly locks = new KeyedMutex();
  private readonly domains = new Map<string, Promise<string>>();

  constructor(opts: GandiOptions) {
    this.id = opts.id;
    this.label = `Gandi provider ${opts.id}`;
    const authorization = opts.personalAccessToken ? `Bearer ${opts.personalAccessToken}` : opts.apiKey ? `Apikey ${opts.apiKey}` : undefined;
    if (!authorization) throw new CertfleetError('CONFIG_INVALID', `${this.label}: expected personal_access_token (or the deprecated api_key)`);
    this.client = new GandiClient({ label: this.label, apiUrl: opts.apiUrl ?? GANDI_LIVEDNS_API, authorization, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  }

  appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.changeEach(zone, records, 'append', signal);
  }

  deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.changeEach(zone, records, 'delete', signal);
  }

  async listZones(signal: AbortSignal): Promise<string[]> {
    return (await this.client.domains(signal)).map(canonicalName);
  }

  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const domain = await this.domain(zone, signal);
    const sets = (await this.client.rrsets(domain, signal)).map((s) => ({
      name: canonicalName(absoluteName(s.rrset_name, domain)), type: s.rrset_type, ttl: s.rrset_ttl,
      // recordsOf takes presentation values: TXT stays quoted as stored, host names lose the dot.
      values: s.rrset_values.map((v) => (s.rrset_type === 'TXT' ? v : dataOfValue(s.rrset_type, v))),
    }));
    return recordsOf(zone, sets.filter((s) => isInZone(s.name, zone)));
  }

  /** One PUT per RRset, one DELETE per cleared one: LiveDNS has no transaction over several. */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const domain = await this.domain(zone, signal);
    const replace = rrsetsOf(zone, records);
    for (const r of replace) {
      const name = relativeName(r.name, domain);
      await this.locks.run(`${domain} ${name} ${r.type}`, () => this.client.replace(domain, name, r.type, r.values.map((v) => zoneFileValue(r.type, v)), Math.max(r.ttl, GandiProvider.MIN_TTL), signal));
    }
    for (const c of clear) {
      const name = relativeName(absoluteName(c.name, zone), domain);
      await this.locks.run(`${domain} ${name} ${c.type}`, () => this.client.remove(domain, name, c.type, signal));
    }
    return recordsOf(zone, replace);
  }

  private async changeEach(zone: string, records: DnsRecord[], kind: 'append' | 'delete', signal: AbortSignal): Promise<DnsRecord[]> {
    const domain = await this.domain(zone, signal);
    const done: DnsRecord[] = [];
    for (const group of recordsByRRset(zone, records)) {
      const name = relativeName(absoluteName(group[0]!.name, zone), domain);
      const type = group[0]!.type;
      done.push(...await this.locks.run(`${domain} ${name} ${type}`, async () => {
        const current = await this.client.rrset(domain, name, type, signal);
        const { changed, values } = changeValues(zone, kind, group, current?.rrset_values ?? []);
        if (changed.length === 0) return [];
        const ttl = current?.rrset_ttl ?? Math.max(group[0]!.ttl, GandiProvider.MIN_TTL);
        if (!current) await this.client.create(domain, name, type, values, ttl, signal);
        else if (values.length > 0) await this.client.replace(domain, name, type, values, ttl, signal);
        else await this.client.remove(domain, name, type, signal);
        return changed;
      }));
    }
    return done;
  }

  /** The LiveDNS domain holding `zone`: the name itself, else its parents (as Cloudflare's zones are found). */
  private domain(zone: string, signal: AbortSignal): Promise<string> {
    const key = canonicalName(zone);
    let p = this.domains.get(key);
    if (!p) {
      p = (async () => {
        const labels = key.split('.');
        for (let i = 0; i < labels.length - 1; i++) {
          const candidate = labels.slice(i).join('.');
          if (await this.client.hasDomain(candidate, signal)) return candidate;
        }
        throw new CertfleetError('DNS_ZONE_NOT_FOUND', `${this.label}: no LiveDNS domain for ${zone} (not in the account, not on LiveDNS, or the credentials may not read it)`);
      })();
      p.catch(() => this.domains.delete(key));
      this.domains.set(key, p);
    }
    return p;
  }
}
