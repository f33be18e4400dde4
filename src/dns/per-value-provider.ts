import { absoluteName, canonicalName, isInZone } from '../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from './dns-provider.js';
import { KeyedMutex } from './keyed-mutex.js';
import { absoluteRRsetName, foundIn, missingFrom, recordKey, recordsOf, rrsetsOf, valueKey, type RRset } from './rrset.js';
import { quoteTxt } from './txt-presentation.js';
import { ZoneWalk } from './zone-walk.js';

/** One record as an API that stores one record per value keeps it, in DnsRecord's terms. */
export interface ApiRecord {
  id: string;
  /** Absolute, lower case, no trailing dot. */
  fqdn: string;
  type: string;
  /** DnsRecord data (TXT unquoted, hosts without the trailing dot, MX "priority host"). */
  data: string;
  ttl: number;
}

/** A value to create: the absolute name and DnsRecord data. */
export interface NewRecord { fqdn: string; type: string; data: string; ttl: number }

/**
 * What a per-value API (DigitalOcean, Linode, Vultr, Hetzner's DNS Console) offers: zones by
 * name, a zone's records, create one, delete one by id. `Z` is the API's handle of a zone.
 */
export interface PerValueApi<Z> {
  /** The zone named exactly `name`, or undefined when the account has none by that name. */
  zone(name: string, signal: AbortSignal): Promise<Z | undefined>;
  zoneName(zone: Z): string;
  /** Every record of the zone, all pages. */
  records(zone: Z, signal: AbortSignal): Promise<ApiRecord[]>;
  create(zone: Z, record: NewRecord, signal: AbortSignal): Promise<void>;
  /** Deletes one record; false when it was already gone. */
  remove(zone: Z, id: string, signal: AbortSignal): Promise<boolean>;
  zones(signal: AbortSignal): Promise<string[]>;
}

export interface PerValueProviderOptions<Z> {
  id: string;
  /** `DigitalOcean provider do`, to start messages. */
  label: string;
  api: PerValueApi<Z>;
  minTtl?: number;
  maxTtl?: number;
}

/**
 * The DnsProvider of every API that keeps one record per value: list the zone, then create or
 * delete exactly the values that differ. The work in one zone is serialised, so two calls never
 * both see a value missing and create it twice.
 */
export class PerValueProvider<Z> implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  readonly maxTtl?: number;
  private readonly api: PerValueApi<Z>;
  private readonly zones: ZoneWalk<Z>;
  private readonly lock = new KeyedMutex();

  constructor(private readonly opts: PerValueProviderOptions<Z>) {
    this.id = opts.id;
    this.api = opts.api;
    if (opts.maxTtl !== undefined) this.maxTtl = opts.maxTtl;
    this.zones = new ZoneWalk(opts.label, (name, signal) => opts.api.zone(name, signal));
  }

  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.inZone(zone, signal, async (z, current) => {
      const created = missingFrom(zone, records, new Set(current.map(keyOf)));
      for (const r of created) await this.api.create(z, this.newRecord(zone, r), signal);
      return created;
    });
  }

  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.inZone(zone, signal, async (z, current) => {
      const asked = new Set(records.map((r) => recordKey(zone, r)));
      const gone = new Set<string>();
      for (const rec of current.filter((c) => asked.has(keyOf(c)))) {
        if (await this.api.remove(z, rec.id, signal)) gone.add(keyOf(rec));
      }
      return foundIn(zone, records, gone);
    });
  }

  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const z = await this.zones.find(zone, signal);
    return recordsOf(zone, rrsetsFrom((await this.api.records(z, signal)).filter((r) => isInZone(r.fqdn, zone))));
  }

  /**
   * No transaction in these APIs: new values are created before old ones are deleted, so a name
   * is never empty in between. A value whose TTL changes is deleted first, then created anew (an
   * API may refuse the same value twice).
   */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const replace = rrsetsOf(zone, records);
    if (replace.length === 0 && clear.length === 0) return [];
    return this.inZone(zone, signal, async (z, current) => {
      const wanted = recordsOf(zone, replace);
      const named = new Set([...replace, ...clear.map((c) => absoluteRRsetName(zone, c))].map((s) => `${s.name} ${s.type}`));
      const kept = new Set(current.filter((c) => wanted.some((w) => recordKey(zone, w) === keyOf(c) && w.ttl === c.ttl)).map(keyOf));
      const create = wanted.filter((w) => !kept.has(recordKey(zone, w)));
      const creating = new Set(create.map((w) => recordKey(zone, w)));
      const remove = current.filter((c) => named.has(`${c.fqdn} ${c.type}`) && !kept.has(keyOf(c)));
      for (const c of remove.filter((c) => creating.has(keyOf(c)))) await this.api.remove(z, c.id, signal);
      for (const r of create) await this.api.create(z, this.newRecord(zone, r), signal);
      for (const c of remove.filter((c) => !creating.has(keyOf(c)))) await this.api.remove(z, c.id, signal);
      return wanted;
    });
  }

  listZones(signal: AbortSignal): Promise<string[]> {
    return this.api.zones(signal);
  }

  private async inZone<T>(zone: string, signal: AbortSignal, fn: (z: Z, current: ApiRecord[]) => Promise<T>): Promise<T> {
    const z = await this.zones.find(zone, signal);
    const release = await this.lock.acquire(canonicalName(this.api.zoneName(z)), signal);
    try {
      return await fn(z, await this.api.records(z, signal));
    } finally {
      release();
    }
  }

  private newRecord(zone: string, r: DnsRecord): NewRecord {
    const ttl = Math.min(Math.max(r.ttl, this.opts.minTtl ?? 1), this.opts.maxTtl ?? 2_147_483_647);
    return { fqdn: canonicalName(absoluteName(r.name, zone)), type: r.type, data: r.data, ttl };
  }
}

function keyOf(r: ApiRecord): string {
  return valueKey(r.fqdn, r.type, r.data);
}

/** Records grouped into RRsets (TXT quoted, as RRset values are), the first record giving the TTL. */
function rrsetsFrom(records: ApiRecord[]): RRset[] {
  const sets = new Map<string, RRset>();
  for (const r of records) {
    const k = `${r.fqdn} ${r.type}`;
    const set = sets.get(k) ?? { name: r.fqdn, type: r.type, ttl: r.ttl, values: [] };
    const v = r.type === 'TXT' ? quoteTxt(r.data) : r.data;
    if (!set.values.includes(v)) set.values.push(v);
    sets.set(k, set);
  }
  return [...sets.values()];
}
