import { CertfleetError } from '../../errors.js';
import { absoluteName, canonicalName, isInZone, relativeName } from '../../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from '../dns-provider.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { dataOfValue, valueOfRecord } from '../record-values.js';
import { recordKey, recordsOf, rrsetsOf, valueKey } from '../rrset.js';
import { recordsByRRset } from '../record-groups.js';
import { ZoneListing } from '../zone-walk.js';
import { OvhClient, type OvhRecord } from './ovh-client.js';
import type { OvhOptions } from './ovh-options.js';

/**
 * OVH API 1.0: one record per value, so a value is created and deleted alone and the others at
 * the name are never touched. What is there is read first (ids, then each record), under a lock
 * per name and type, so a value already there is not created twice. OVH's name servers see the
 * changes only after a refresh of the zone: one per call that changed something.
 */
export class OvhProvider implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  private readonly client: OvhClient;
  private readonly label: string;
  private readonly locks = new KeyedMutex();
  private readonly zones: ZoneListing<string>;

  constructor(opts: OvhOptions) {
    this.id = opts.id;
    this.label = `OVH provider ${opts.id}`;
    this.client = new OvhClient({ ...opts, label: this.label, now: opts.now ?? Date.now });
    // Listed again once when no zone holds the name (one added since).
    this.zones = new ZoneListing({
      list: async (s) => (await this.client.zones(s)).map(canonicalName),
      name: (z) => z,
      refresh: true,
      notFound: (zone) => new CertfleetError('DNS_ZONE_NOT_FOUND', `${this.label}: no zone for ${zone} in this OVH account (or the consumer key may not list it)`),
    });
  }

  appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.changeEach(zone, records, signal, async (ovhZone, group, present) => {
      const created: DnsRecord[] = [];
      for (const r of group) {
        const key = recordKey(zone, r);
        if (present.has(key)) continue;
        await this.client.create(ovhZone, { fieldType: r.type, subDomain: this.subDomain(zone, r.name, ovhZone), target: valueOfRecord(r), ttl: r.ttl }, signal);
        present.set(key, []);
        created.push(r);
      }
      return created;
    });
  }

  deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.changeEach(zone, records, signal, async (ovhZone, group, present) => {
      const deleted: DnsRecord[] = [];
      for (const r of group) {
        const ids = present.get(recordKey(zone, r)) ?? [];
        present.delete(recordKey(zone, r));
        let gone = false;
        for (const id of ids) if (await this.client.delete(ovhZone, id, signal)) gone = true;
        if (gone) deleted.push(r);
      }
      return deleted;
    });
  }

  async listZones(signal: AbortSignal): Promise<string[]> {
    return (await this.client.zones(signal)).map(canonicalName);
  }

  /** Every record of the zone: one request for the ids, one per record (the API has no bulk read). */
  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const ovhZone = await this.zones.find(zone, signal);
    const records = await this.details(ovhZone, await this.client.recordIds(ovhZone, signal), signal);
    return records.filter((r) => isInZone(absoluteName(r.subDomain, ovhZone), zone))
      .map((r) => ({ name: relativeName(absoluteName(r.subDomain, ovhZone), zone), type: r.fieldType, ttl: r.ttl, data: dataOfValue(r.fieldType, r.target) }));
  }

  /**
   * Each named RRset becomes exactly its records: values no longer wanted (or with another TTL)
   * deleted, missing ones created; then one refresh. OVH has no transaction: a failure midway
   * leaves part of it done, and the next set finishes it.
   */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const set = recordsOf(zone, rrsetsOf(zone, records));
    const ovhZone = await this.zones.find(zone, signal);
    const rrsets = [...recordsByRRset(zone, set).map((g) => ({ ...g[0]!, wanted: g })), ...clear.map((c) => ({ ...c, wanted: [] as DnsRecord[] }))];
    // A value with another TTL is not the one wanted: OVH's recorded updates change names and targets only.
    const withTtl = (key: string, ttl: number) => `${key}\n${ttl}`;
    let changed = false;
    for (const { name, type, wanted } of rrsets) {
      const subDomain = this.subDomain(zone, name, ovhZone);
      await this.locks.run(`${ovhZone} ${subDomain} ${type}`, async () => {
        const want = new Map(wanted.map((r) => [withTtl(recordKey(zone, r), r.ttl), r]));
        for (const rec of await this.details(ovhZone, await this.client.recordIds(ovhZone, signal, { fieldType: type, subDomain }), signal)) {
          const key = withTtl(valueKey(absoluteName(rec.subDomain, ovhZone), type, dataOfValue(type, rec.target)), rec.ttl);
          if (want.delete(key)) continue;
          changed = (await this.client.delete(ovhZone, rec.id, signal)) || changed;
        }
        for (const r of want.values()) {
          await this.client.create(ovhZone, { fieldType: type, subDomain, target: valueOfRecord(r), ttl: r.ttl }, signal);
          changed = true;
        }
      });
    }
    if (changed) await this.client.refresh(ovhZone, signal);
    return set;
  }

  /**
   * Runs `fn` per RRset under its lock with what is there (value key → record ids), then
   * refreshes the zone once if anything changed.
   */
  private async changeEach(zone: string, records: DnsRecord[], signal: AbortSignal, fn: (ovhZone: string, group: DnsRecord[], present: Map<string, number[]>) => Promise<DnsRecord[]>): Promise<DnsRecord[]> {
    const ovhZone = await this.zones.find(zone, signal);
    const done: DnsRecord[] = [];
    for (const group of recordsByRRset(zone, records)) {
      const type = group[0]!.type;
      const subDomain = this.subDomain(zone, group[0]!.name, ovhZone);
      done.push(...await this.locks.run(`${ovhZone} ${subDomain} ${type}`, async () => {
        const present = new Map<string, number[]>();
        for (const rec of await this.details(ovhZone, await this.client.recordIds(ovhZone, signal, { fieldType: type, subDomain }), signal)) {
          const key = valueKey(absoluteName(rec.subDomain, ovhZone), type, dataOfValue(type, rec.target));
          present.set(key, [...(present.get(key) ?? []), rec.id]);
        }
        return fn(ovhZone, group, present);
      }));
    }
    if (done.length > 0) await this.client.refresh(ovhZone, signal);
    return done;
  }

  private async details(ovhZone: string, ids: number[], signal: AbortSignal): Promise<OvhRecord[]> {
    const out: OvhRecord[] = [];
    for (const id of ids) {
      const rec = await this.client.record(ovhZone, id, signal);
      if (rec) out.push(rec);
    }
    return out;
  }

  /** The record's name relative to the OVH zone ('' for its apex, as the API spells it). */
  private subDomain(zone: string, name: string, ovhZone: string): string {
    const rel = relativeName(absoluteName(name, zone), ovhZone);
    return rel === '@' ? '' : rel;
  }
}
