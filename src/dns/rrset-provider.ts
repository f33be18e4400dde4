import { isInZone, relativeName } from '../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName } from './dns-provider.js';
import { KeyedMutex } from './keyed-mutex.js';
import { desiredSets, distinctData, groupByName } from './record-groups.js';
import { ZoneWalk, zoneTtl, type ApiZone } from './zone-walk.js';

/** One record set of an API: absolute name, values in DnsRecord form (TXT unquoted). */
export interface ApiRRset { name: string; type: string; ttl: number; values: string[] }

/** The calls of an API that reads and writes whole record sets by name and type: deSEC, GoDaddy. */
export interface RRsetApi<Z extends ApiZone> {
  /** The zone named exactly `candidate`, or undefined when the account has none by that name. */
  findZone(candidate: string, signal: AbortSignal): Promise<Z | undefined>;
  read(zone: Z, name: string, type: string, signal: AbortSignal): Promise<ApiRRset | undefined>;
  /** The set becomes exactly `set.values` (none: deleted). `existed`: whether it was there before. */
  write(zone: Z, set: ApiRRset, existed: boolean, signal: AbortSignal): Promise<void>;
  list(zone: Z, signal: AbortSignal): Promise<ApiRRset[]>;
}

/**
 * append/delete/get/set on an API whose writes replace a whole record set: read, change, write
 * back, one name at a time per process (KeyedMutex), so that concurrent appends to one name
 * never overwrite each other's values. Other values at the name are written back unchanged.
 */
export class RRsetProvider<Z extends ApiZone> implements DnsProvider, RecordGetter, RecordSetter {
  private readonly zones: ZoneWalk<Z>;
  private readonly names = new KeyedMutex();

  constructor(readonly id: string, label: string, private readonly api: RRsetApi<Z>) {
    this.zones = new ZoneWalk(label, (c, s) => api.findZone(c, s));
  }

  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.change(zone, records, signal, (values, r) => !values.includes(r.data), (values, added) => [...values, ...added]);
  }

  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.change(zone, records, signal, (values, r) => values.includes(r.data), (values, gone) => values.filter((v) => !gone.includes(v)));
  }

  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const z = await this.zones.find(zone, signal);
    return (await this.api.list(z, signal))
      .filter((rr) => isInZone(rr.name, zone))
      .flatMap((rr) => rr.values.map((data) => ({ name: relativeName(rr.name, zone), type: rr.type, data, ttl: rr.ttl })));
  }

  /** One write per RRset (the recorded API calls have no multi-set transaction). */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const sets = desiredSets(zone, records, clear);
    if (sets.length === 0) return [];
    const z = await this.zones.find(zone, signal);
    const current = new Set((await this.api.list(z, signal)).map((rr) => `${rr.name} ${rr.type}`));
    const set: DnsRecord[] = [];
    for (const g of sets) {
      const existed = current.has(`${g.name} ${g.type}`);
      if (!existed && g.records.length === 0) continue;
      await this.names.run(`${z.name} ${g.name} ${g.type}`, () => this.api.write(z, { name: g.name, type: g.type, ttl: zoneTtl(z, g.records[0]?.ttl ?? 0), values: distinctData(g.records) }, existed, signal));
      set.push(...g.records.filter((r, i) => g.records.findIndex((o) => o.data === r.data) === i));
    }
    return set;
  }

  /**
   * For each name and type, under its lock: the records `pick` chooses given the values there now
   * (each value once) are the ones changed, and `apply` gives the values to write back.
   */
  private async change(zone: string, records: DnsRecord[], signal: AbortSignal, pick: (values: string[], r: DnsRecord) => boolean, apply: (values: string[], picked: string[]) => string[]): Promise<DnsRecord[]> {
    if (records.length === 0) return [];
    const z = await this.zones.find(zone, signal);
    const out: DnsRecord[] = [];
    for (const g of groupByName(zone, records)) {
      out.push(...await this.names.run(`${z.name} ${g.name} ${g.type}`, async () => {
        const now = await this.api.read(z, g.name, g.type, signal);
        const values = now?.values ?? [];
        const picked = g.records.filter((r, i) => pick(values, r) && g.records.findIndex((o) => o.data === r.data) === i);
        if (picked.length === 0) return [];
        const data = picked.map((r) => r.data);
        await this.api.write(z, { name: g.name, type: g.type, ttl: now?.ttl ?? zoneTtl(z, picked[0]!.ttl), values: apply(values, data) }, now !== undefined, signal);
        return picked;
      }));
    }
    return out;
  }
}
