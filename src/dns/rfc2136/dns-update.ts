import { randomInt } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { unquoteTxt } from '../txt-presentation.js';
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

const TYPE_CODES: Record<string, number> = { A: 1, NS: 2, CNAME: 5, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33 };

export interface WholeRRset { name: string; type: string; ttl: number; values: string[] }

/**
 * One UPDATE for a zone's change set (ExternalDNS): each replaced RRset is deleted whole (class
 * ANY) and written again; each removed one deleted. The prerequisite "the zone's SOA exists"
 * makes the server refuse the whole message for a zone it does not hold. The server applies
 * one UPDATE atomically.
 */
export function buildZoneUpdate(zone: string, change: { replace: WholeRRset[]; remove: { name: string; type: string }[] }): Buffer {
  const code = (t: string) => {
    const c = TYPE_CODES[t];
    if (c === undefined) throw new RangeError(`record type ${t} is not supported over RFC 2136`);
    return c;
  };
  const updates: Buffer[] = [];
  for (const r of [...change.remove, ...change.replace]) updates.push(resourceRecord(r.name, code(r.type), CLASS.ANY, 0, Buffer.alloc(0)));
  for (const r of change.replace) for (const v of r.values) updates.push(resourceRecord(r.name, code(r.type), CLASS.IN, r.ttl, rdataFromText(r.type, v)));
  const prereq = resourceRecord(zone, TYPE.SOA, CLASS.ANY, 0, Buffer.alloc(0));
  const header = Buffer.concat([u16(randomInt(0, 0x10000)), u16(OPCODE_UPDATE << 11), u16(1), u16(1), u16(updates.length), u16(0)]);
  return Buffer.concat([header, encodeName(zone), u16(TYPE.SOA), u16(CLASS.IN), prereq, ...updates]);
}

/** RDATA from ExternalDNS's text form of a value. */
export function rdataFromText(type: string, v: string): Buffer {
  switch (type) {
    case 'A':
      if (!isIPv4(v)) throw new RangeError(`not an IPv4 address: ${v}`);
      return Buffer.from(v.split('.').map(Number));
    case 'AAAA': return ipv6Bytes(v);
    case 'CNAME': case 'NS': case 'PTR': return encodeName(v);
    case 'MX': {
      const [pref, host] = v.trim().split(/\s+/);
      return Buffer.concat([u16(Number(pref)), encodeName(host ?? '')]);
    }
    case 'SRV': {
      const [prio, weight, port, host] = v.trim().split(/\s+/);
      return Buffer.concat([u16(Number(prio)), u16(Number(weight)), u16(Number(port)), encodeName(host ?? '')]);
    }
    case 'TXT': {
      // ExternalDNS sends TXT values quoted; store the text inside the quotes.
      return txtRdata(unquoteTxt(v));
    }
    default: throw new RangeError(`record type ${type} is not supported over RFC 2136`);
  }
}

function ipv6Bytes(text: string): Buffer {
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) throw new RangeError(`not an IPv6 address: ${text}`);
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))));
}
