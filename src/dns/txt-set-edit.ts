import type { DnsRecord } from './dns-provider.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { groupByName } from './record-groups.js';

/**
 * The read-modify-write step of APIs that store a TXT name as one record set (Route 53, Azure):
 * the set's next values and exactly which records that creates or deletes. Values are the TXT
 * texts, unquoted; the order of the values already there is kept.
 */
export interface TxtSetEdit {
  values: string[];
  /** The records the edit creates (append) or deletes (delete); empty means nothing to write. */
  changed: DnsRecord[];
}

/** Appending `records` to a set holding `current`: a value already there is not created. */
export function appendToTxtSet(current: string[], records: DnsRecord[]): TxtSetEdit {
  const values = [...current];
  const changed: DnsRecord[] = [];
  for (const r of records) {
    if (values.includes(r.data)) continue;
    values.push(r.data);
    changed.push(r);
  }
  return { values, changed };
}

/** Deleting `records` from a set holding `current`: a value not there is not deleted. */
export function deleteFromTxtSet(current: string[], records: DnsRecord[]): TxtSetEdit {
  const changed: DnsRecord[] = [];
  let values = [...current];
  for (const r of records) {
    if (!values.includes(r.data)) continue;
    values = values.filter((v) => v !== r.data);
    changed.push(r);
  }
  return { values, changed };
}

/**
 * Runs one set edit per TXT name, each under that name's lock in `mutex` (`scope` keeps two
 * zones' locks apart), and returns what all of them created or deleted, in order.
 */
export async function editPerTxtName(zone: string, records: DnsRecord[], mutex: KeyedMutex, scope: string, edit: (fqdn: string, records: DnsRecord[]) => Promise<DnsRecord[]>): Promise<DnsRecord[]> {
  const done: DnsRecord[] = [];
  for (const g of groupByName(zone, records)) done.push(...await mutex.run(`${scope} ${g.name}`, () => edit(g.name, g.records)));
  return done;
}
