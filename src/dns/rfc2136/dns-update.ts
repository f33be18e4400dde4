import { randomInt } from 'node:crypto';
import { CLASS, OPCODE_UPDATE, TYPE, encodeName, resourceRecord, txtRdata, u16 } from './dns-wire.js';

export interface TxtChange { fqdn: string; value: string; ttl: number }

/**
 * An RFC 2136 UPDATE message for one zone: adds (`NAME TXT IN TTL RDATA`) and deletes of single
 * records (`NAME TXT NONE 0 RDATA`, which leaves the other values of the name alone).
 */
export function buildUpdate(zone: string, changes: { add?: TxtChange[]; remove?: TxtChange[] }): Buffer {
  const updates = [
    ...(changes.add ?? []).map((c) => resourceRecord(c.fqdn, TYPE.TXT, CLASS.IN, c.ttl, txtRdata(c.value))),
    ...(changes.remove ?? []).map((c) => resourceRecord(c.fqdn, TYPE.TXT, CLASS.NONE, 0, txtRdata(c.value))),
  ];
  const header = Buffer.concat([
    u16(randomInt(0, 0x10000)),
    u16(OPCODE_UPDATE << 11),
    u16(1), // ZOCOUNT
    u16(0), // PRCOUNT
    u16(updates.length),
    u16(0), // ADCOUNT (TSIG is added when signing)
  ]);
  const zoneSection = Buffer.concat([encodeName(zone), u16(TYPE.SOA), u16(CLASS.IN)]);
  return Buffer.concat([header, zoneSection, ...updates]);
}
