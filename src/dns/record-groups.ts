import { absoluteName, canonicalName } from '../dns-name.js';
import type { DnsRecord, RRsetName } from './dns-provider.js';

/** The records of one owner name and type: `name` is absolute (lower case, no trailing dot). */
export interface RecordGroup { name: string; type: string; records: DnsRecord[] }

/** The records grouped by absolute name and type, in first-seen order. */
export function groupByName(zone: string, records: DnsRecord[]): RecordGroup[] {
  const groups = new Map<string, RecordGroup>();
  for (const r of records) {
    const name = canonicalName(absoluteName(r.name, zone));
    const key = `${name} ${r.type}`;
    const g = groups.get(key) ?? { name, type: r.type, records: [] };
    g.records.push(r);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** The records of each RRset (name and type), in first-seen order. */
export function recordsByRRset(zone: string, records: DnsRecord[]): DnsRecord[][] {
  return groupByName(zone, records).map((g) => g.records);
}

/** What setRecords asks for: each RRset to replace with its records, then each to clear with none. */
export function desiredSets(zone: string, records: DnsRecord[], clear: RRsetName[]): RecordGroup[] {
  const sets = groupByName(zone, records);
  const named = new Set(sets.map((g) => `${g.name} ${g.type}`));
  for (const c of groupByName(zone, clear.map((c) => ({ ...c, data: '', ttl: 0 })))) {
    if (!named.has(`${c.name} ${c.type}`)) sets.push({ ...c, records: [] });
  }
  return sets;
}

/** The distinct values of a group, in order. */
export function distinctData(records: DnsRecord[]): string[] {
  return [...new Set(records.map((r) => r.data))];
}
