import { canonicalName, isInZone, relativeName, withTrailingDot } from '../../dns-name.js';
import { dataFromApi } from '../api-values.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from '../dns-provider.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { ListingPerValueProvider } from '../per-value-provider.js';
import { ZoneWalk } from '../zone-walk.js';
import { absoluteRRsetName, recordsOf, rrsetsOf, type RRset } from '../rrset.js';
import { quoteTxt, unquoteTxt } from '../txt-presentation.js';
import { HetznerClient, type HetznerRRset, type HetznerZone } from './hetzner-client.js';
import { HetznerConsoleClient, type HetznerConsoleZone } from './hetzner-console-client.js';
import type { HetznerOptions } from './hetzner-options.js';

/** The provider for the API the options choose: Cloud (RRsets) or the older DNS Console (per value). */
export function hetznerProvider(opts: HetznerOptions): HetznerProvider | ListingPerValueProvider<HetznerConsoleZone> {
  if (opts.api === 'console') return new ListingPerValueProvider({ id: opts.id, label: `Hetzner provider ${opts.id}`, api: new HetznerConsoleClient(opts) });
  return new HetznerProvider(opts);
}

/**
 * Hetzner Cloud DNS, RRset by RRset: each value added or removed with the RRset's own actions,
 * after reading the RRset, so that exactly the values that were missing (or present) are
 * reported. Work in one zone is serialised (two appends must not both think a value missing).
 */
export class HetznerProvider implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  private readonly client: HetznerClient;
  private readonly zones: ZoneWalk<HetznerZone>;
  private readonly lock = new KeyedMutex();

  constructor(opts: HetznerOptions) {
    this.id = opts.id;
    this.client = new HetznerClient(opts);
    this.zones = new ZoneWalk(`Hetzner provider ${opts.id}`, (name, signal) => this.client.zone(name, signal));
  }

  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.eachRRset(zone, records, signal, async (z, set, name, current) => {
      const missing = set.values.filter((v) => !current.includes(v));
      if (missing.length) await this.client.addRecords(z, name, set.type, set.ttl, missing.map((v) => toApi(set.type, v)), signal);
      return missing;
    });
  }

  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.eachRRset(zone, records, signal, async (z, set, name, current, api) => {
      const present = set.values.filter((v) => current.includes(v));
      if (present.length) await this.client.removeRecords(z, name, set.type, present.map((v) => api[current.indexOf(v)]!), signal);
      return present;
    });
  }

  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const z = await this.zones.find(zone, signal);
    const sets = (await this.client.rrsets(z, signal)).map((r) => fromApi(z, r)).filter((r) => isInZone(r.name, zone));
    return recordsOf(zone, sets);
  }

  /** Per RRset: set_records (plus change_ttl when the TTL differs), or add_records to create it; `clear` deletes. */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const replace = rrsetsOf(zone, records);
    const z = await this.zones.find(zone, signal);
    return this.lock.run(z.name, async () => {
      for (const set of replace) {
        const name = relativeName(set.name, z.name);
        const existing = await this.client.rrset(z, name, set.type, signal);
        const values = set.values.map((v) => toApi(set.type, v));
        if (!existing) {
          await this.client.addRecords(z, name, set.type, set.ttl, values, signal);
          continue;
        }
        await this.client.setRecords(z, name, set.type, values, signal);
        if ((existing.ttl ?? z.ttl) !== set.ttl) await this.client.changeTtl(z, name, set.type, set.ttl, signal);
      }
      for (const c of clear.map((r) => absoluteRRsetName(zone, r))) await this.client.deleteRRset(z, relativeName(c.name, z.name), c.type, signal);
      return recordsOf(zone, replace);
    });
  }

  async listZones(signal: AbortSignal): Promise<string[]> {
    return this.client.zones(signal);
  }

  /**
   * Runs `fn` for each RRset the records name, under the zone's lock, with the RRset's current
   * values (RRset form, TXT quoted) and the API's own spelling of each; returns the records of
   * the values `fn` reports.
   */
  private async eachRRset(zone: string, records: DnsRecord[], signal: AbortSignal,
    fn: (z: HetznerZone, set: RRset, name: string, current: string[], api: string[]) => Promise<string[]>): Promise<DnsRecord[]> {
    const z = await this.zones.find(zone, signal);
    return this.lock.run(z.name, async () => {
      const done: RRset[] = [];
      for (const set of rrsetsOf(zone, records)) {
        const name = relativeName(set.name, z.name);
        const existing = await this.client.rrset(z, name, set.type, signal);
        const api = existing?.records.map((r) => r.value) ?? [];
        done.push({ ...set, values: await fn(z, set, name, api.map((v) => valueOf(set.type, v)), api) });
      }
      return recordsOf(zone, done);
    });
  }
}

/** An RRset value (TXT quoted, hosts without the trailing dot) as the Cloud API takes it. */
function toApi(type: string, value: string): string {
  if (type === 'TXT') return quoteTxt(unquoteTxt(value));
  if (type === 'CNAME' || type === 'NS') return withTrailingDot(value);
  if (type === 'MX') {
    const [priority, host] = value.trim().split(/\s+/);
    return `${priority} ${withTrailingDot(host ?? '')}`;
  }
  return value;
}

/** An API value in RRset form, for comparing with what certfleet asks for. */
function valueOf(type: string, value: string): string {
  const data = dataFromApi(type, value, { quotedTxt: true });
  return type === 'TXT' ? quoteTxt(data) : data;
}

function fromApi(z: HetznerZone, r: HetznerRRset): RRset {
  return { name: canonicalName(r.name === '@' ? z.name : `${r.name}.${z.name}`), type: r.type, ttl: r.ttl ?? z.ttl, values: r.records.map((x) => valueOf(r.type, x.value)) };
}
