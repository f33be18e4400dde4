import { isInZone, relativeName } from '../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName } from './dns-provider.js';
import { KeyedMutex } from './keyed-mutex.js';
import { desiredSets, distinctData, groupByName, type RecordGroup } from './record-groups.js';
import { ZoneWalk, zoneTtl, type ApiZone } from './zone-walk.js';

/** One record of an API that keeps one record per value: absolute name, data in DnsRecord form (TXT unquoted). */
export interface ValueRecord { id: string; name: string; type: string; data: string; ttl: number }

/** The calls of an API with one record (and id) per value that can list one name: Porkbun, DNSimple, Infomaniak. */
export interface PerNameApi<Z extends ApiZone> {
  /** The zone named exactly `candidate`, or undefined when the account has none by that name. */
  findZone(candidate: string, signal: AbortSignal): Promise<Z | undefined>;
  /** The zone's records; `at` narrows them to one name and type (the API may filter, or this does). */
  list(zone: Z, signal: AbortSignal, at?: { name: string; type: string }): Promise<ValueRecord[]>;
  create(zone: Z, record: Omit<ValueRecord, 'id'>, signal: AbortSignal): Promise<void>;
  /** Deletes one record by id; false when it was already gone. */
  remove(zone: Z, record: ValueRecord, signal: AbortSignal): Promise<boolean>;
}

/**
 * append/delete/get/set on an API that has no record sets, only records: each name and type is
 * read, then the missing values created (or the matching ids deleted), one name at a time per
 * process (KeyedMutex), so that two callers adding the same value never both create it.
 */
export class PerNameProvider<Z extends ApiZone> implements DnsProvider, RecordGetter, RecordSetter {
  private readonly zones: ZoneWalk<Z>;
  private readonly names = new KeyedMutex();

  constructor(readonly id: string, label: string, private readonly api: PerNameApi<Z>) {
    this.zones = new ZoneWalk(label, (c, s) => api.findZone(c, s));
  }

  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.eachName(zone, records, signal, async (z, g, present) => {
      const created: DnsRecord[] = [];
      const have = new Set(present.map((p) => p.data));
      for (const r of g.records) {
        if (have.has(r.data)) continue;
        await this.api.create(z, { name: g.name, type: g.type, data: r.data, ttl: zoneTtl(z, r.ttl) }, signal);
        have.add(r.data);
        created.push(r);
      }
      return created;
    });
  }

  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.eachName(zone, records, signal, async (z, g, present) => {
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

  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const z = await this.zones.find(zone, signal);
    return (await this.api.list(z, signal))
      .filter((r) => isInZone(r.name, zone))
      .map((r) => ({ name: relativeName(r.name, zone), type: r.type, data: r.data, ttl: r.ttl }));
  }

  /** No transaction (the API has none): each RRset in turn, deletes of unwanted values before creates. */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const sets = desiredSets(zone, records, clear);
    if (sets.length === 0) return [];
    const z = await this.zones.find(zone, signal);
    const current = await this.api.list(z, signal);
    const set: DnsRecord[] = [];
    for (const g of sets) {
      await this.names.run(`${z.name} ${g.name} ${g.type}`, async () => {
        const want = new Map(distinctData(g.records).map((d) => [d, g.records.find((r) => r.data === d)!]));
        const keep = new Set<string>();
        for (const p of current.filter((p) => p.name === g.name && p.type === g.type)) {
          const w = want.get(p.data);
          if (w && zoneTtl(z, w.ttl) === p.ttl && !keep.has(p.data)) keep.add(p.data);
          else await this.api.remove(z, p, signal);
        }
        for (const [data, r] of want) {
          if (!keep.has(data)) await this.api.create(z, { name: g.name, type: g.type, data, ttl: zoneTtl(z, r.ttl) }, signal);
          set.push(r);
        }
      });
    }
    return set;
  }

  /** Runs `fn` for each name and type of `records` under that name's lock, with the values there now. */
  private async eachName(zone: string, records: DnsRecord[], signal: AbortSignal, fn: (z: Z, g: RecordGroup, present: ValueRecord[]) => Promise<DnsRecord[]>): Promise<DnsRecord[]> {
    if (records.length === 0) return [];
    const z = await this.zones.find(zone, signal);
    const out: DnsRecord[] = [];
    for (const g of groupByName(zone, records)) {
      out.push(...await this.names.run(`${z.name} ${g.name} ${g.type}`, async () => {
        const present = await this.api.list(z, signal, { name: g.name, type: g.type });
        return fn(z, g, present.filter((p) => p.name === g.name && p.type === g.type));
      }));
    }
    return out;
  }
}
