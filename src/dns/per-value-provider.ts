import { canonicalName, isInZone, relativeName } from '../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from './dns-provider.js';
import { KeyedMutex } from './keyed-mutex.js';
import { desiredSets, distinctData, groupByName, type RecordGroup } from './record-groups.js';
import { recordsOf, rrsetsOf } from './rrset.js';
import { ZoneWalk, zoneTtl, type ApiZone } from './zone-walk.js';

/**
 * One record of an API that keeps one record (and id) per value, in DnsRecord's terms: `name`
 * absolute, lower case, no trailing dot; `data` as DnsRecord data (TXT unquoted, hosts without
 * the trailing dot, MX "priority host").
 */
export interface ValueRecord { id: string; name: string; type: string; data: string; ttl: number }

/** A value to create: a ValueRecord before the API has given it an id. */
export type NewRecord = Omit<ValueRecord, 'id'>;

/**
 * The calls of an API with records but no record sets (DigitalOcean, Linode, Vultr, Hetzner's DNS
 * Console, Porkbun, DNSimple, Infomaniak).
 */
export interface PerValueApi<Z extends ApiZone> {
  /** The zone named exactly `candidate`, or undefined when the account has none by that name. */
  findZone(candidate: string, signal: AbortSignal): Promise<Z | undefined>;
  /**
   * The zone's records, all pages. `at` asks for one name and type only: an API that can filter
   * by name does (a large zone is not listed for one TXT name); one that cannot may ignore it,
   * the engine filters what comes back either way.
   */
  list(zone: Z, signal: AbortSignal, at?: { name: string; type: string }): Promise<ValueRecord[]>;
  create(zone: Z, record: NewRecord, signal: AbortSignal): Promise<void>;
  /** Deletes one record; false when it was already gone. */
  remove(zone: Z, record: ValueRecord, signal: AbortSignal): Promise<boolean>;
  /** Every zone the credentials see, when the API can list them. */
  zones?(signal: AbortSignal): Promise<string[]>;
}

export interface PerValueProviderOptions<Z extends ApiZone> {
  id: string;
  /** `DigitalOcean provider do`, to start messages. */
  label: string;
  api: PerValueApi<Z>;
  /** The API's TTL bounds; a zone's own minTtl raises the lower one. */
  minTtl?: number;
  maxTtl?: number;
}

/**
 * The DnsProvider of every API that keeps one record per value: each name and type is read, then
 * exactly the values that differ are created or deleted. The work at one name and type is
 * serialised per process (KeyedMutex), and the name is read again under that lock, so two callers
 * adding the same value never both see it missing and create it twice; different names proceed
 * side by side.
 */
export class PerValueProvider<Z extends ApiZone> implements DnsProvider, RecordGetter, RecordSetter {
  readonly id: string;
  readonly maxTtl?: number;
  private readonly api: PerValueApi<Z>;
  private readonly zones: ZoneWalk<Z>;
  private readonly names = new KeyedMutex();

  constructor(private readonly opts: PerValueProviderOptions<Z>) {
    this.id = opts.id;
    this.api = opts.api;
    if (opts.maxTtl !== undefined) this.maxTtl = opts.maxTtl;
    this.zones = new ZoneWalk(opts.label, (c, s) => opts.api.findZone(c, s));
  }

  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.eachName(zone, groupByName(zone, records), signal, async (z, g, present) => {
      const created: DnsRecord[] = [];
      const have = new Set(present.map((p) => p.data));
      for (const r of g.records) {
        if (have.has(r.data)) continue;
        await this.api.create(z, { name: g.name, type: g.type, data: r.data, ttl: this.ttl(z, r.ttl) }, signal);
        have.add(r.data);
        created.push(r);
      }
      return created;
    });
  }

  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.eachName(zone, groupByName(zone, records), signal, async (z, g, present) => {
      const deleted: DnsRecord[] = [];
      const done = new Set<string>();
      for (const r of g.records) {
        if (done.has(r.data)) continue;
        done.add(r.data);
        let gone = false;
        for (const p of present.filter((p) => p.data === r.data)) gone = (await this.api.remove(z, p, signal)) || gone;
        if (gone) deleted.push(r);
      }
      return deleted;
    });
  }

  /** The zone's records as RRsets give them: each value once, the first record's TTL for its set. */
  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const z = await this.zones.find(zone, signal);
    const here = (await this.api.list(z, signal)).filter((r) => isInZone(r.name, zone));
    return recordsOf(zone, rrsetsOf(zone, here.map((r) => ({ name: relativeName(r.name, zone), type: r.type, data: r.data, ttl: r.ttl }))));
  }

  /**
   * No transaction in these APIs: for each RRset in turn, new values are created before unwanted
   * ones are deleted, so a name is never empty in between. A value whose TTL changes is deleted
   * first, then created anew (an API may refuse the same value twice).
   */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    return this.eachName(zone, desiredSets(zone, records, clear), signal, async (z, g, present) => {
      const want = new Map(distinctData(g.records).map((d) => [d, g.records.find((r) => r.data === d)!]));
      const keep = new Set<string>();
      const drop: ValueRecord[] = [];
      for (const p of present) {
        const w = want.get(p.data);
        if (w && this.ttl(z, w.ttl) === p.ttl && !keep.has(p.data)) keep.add(p.data);
        else drop.push(p);
      }
      const create = [...want.values()].filter((r) => !keep.has(r.data));
      const recreated = (p: ValueRecord) => create.some((r) => r.data === p.data);
      for (const p of drop.filter(recreated)) await this.api.remove(z, p, signal);
      for (const r of create) await this.api.create(z, { name: g.name, type: g.type, data: r.data, ttl: this.ttl(z, r.ttl) }, signal);
      for (const p of drop.filter((p) => !recreated(p))) await this.api.remove(z, p, signal);
      return [...want.values()];
    });
  }

  /** Runs `fn` for each group under its name's lock, with the values there now. */
  private async eachName(zone: string, groups: RecordGroup[], signal: AbortSignal, fn: (z: Z, g: RecordGroup, present: ValueRecord[]) => Promise<DnsRecord[]>): Promise<DnsRecord[]> {
    if (groups.length === 0) return [];
    const z = await this.zones.find(zone, signal);
    const out: DnsRecord[] = [];
    for (const g of groups) {
      const release = await this.names.acquire(`${canonicalName(z.name)} ${g.name} ${g.type}`, signal);
      try {
        const present = await this.api.list(z, signal, { name: g.name, type: g.type });
        out.push(...await fn(z, g, present.filter((p) => p.name === g.name && p.type === g.type)));
      } finally {
        release();
      }
    }
    return out;
  }

  /** A TTL the API takes: raised to its and the zone's minimum, cut to its maximum. */
  private ttl(z: Z, ttl: number): number {
    return Math.min(zoneTtl(z, Math.max(ttl, this.opts.minTtl ?? 1)), this.opts.maxTtl ?? 2_147_483_647);
  }
}

/** A PerValueProvider on an API that can list its zones. */
export class ListingPerValueProvider<Z extends ApiZone> extends PerValueProvider<Z> implements ZoneLister {
  constructor(private readonly listing: PerValueProviderOptions<Z> & { api: Required<Pick<PerValueApi<Z>, 'zones'>> }) {
    super(listing);
  }

  listZones(signal: AbortSignal): Promise<string[]> {
    return this.listing.api.zones(signal);
  }
}
