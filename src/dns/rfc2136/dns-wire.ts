/**
 * The few pieces of the DNS wire format (RFC 1035) an UPDATE client needs: writing names and
 * resource records, and reading a header and walking the sections of an answer (names may be
 * compressed there). Written here because no npm package handles class NONE/ANY and TSIG.
 */
import { withoutTrailingDot } from '../../dns-name.js';

export const TYPE = { SOA: 6, TXT: 16, TSIG: 250 } as const;
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
export const OPCODE_UPDATE = 5;

export const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED',
  6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE',
  16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME',
};

/** A name in uncompressed wire form; lowercased when `canonical` (RFC 4034 §6.2, used by TSIG). */
export function encodeName(name: string, canonical = false): Buffer {
  const trimmed = withoutTrailingDot(name);
  const parts: Buffer[] = [];
  if (trimmed !== '') {
    for (const label of trimmed.split('.')) {
      const bytes = Buffer.from(canonical ? label.toLowerCase() : label, 'ascii');
      if (bytes.length === 0 || bytes.length > 63) throw new RangeError(`invalid DNS label in ${JSON.stringify(name)}`);
      parts.push(Buffer.from([bytes.length]), bytes);
    }
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255) throw new RangeError(`DNS name too long: ${name}`);
  return out;
}

/** TXT RDATA: the value as <character-string>s of at most 255 bytes. */
export function txtRdata(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
    if (bytes.length === 0) break;
  }
  return Buffer.concat(parts);
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function u48(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
}

export function resourceRecord(name: string, type: number, cls: number, ttl: number, rdata: Buffer): Buffer {
  return Buffer.concat([encodeName(name), u16(type), u16(cls), u32(ttl), u16(rdata.length), rdata]);
}

export interface Header { id: number; flags: number; qd: number; an: number; ns: number; ar: number }

export function readHeader(msg: Buffer): Header {
  if (msg.length < 12) throw new RangeError('DNS message shorter than its header');
  return { id: msg.readUInt16BE(0), flags: msg.readUInt16BE(2), qd: msg.readUInt16BE(4), an: msg.readUInt16BE(6), ns: msg.readUInt16BE(8), ar: msg.readUInt16BE(10) };
}

/** Reads a (possibly compressed) name at `offset`; returns it and the offset after it. */
export function readName(msg: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  for (let jumps = 0; ; jumps++) {
    if (jumps > 64 || pos >= msg.length) throw new RangeError('malformed DNS name');
    const len = msg[pos]!;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length) throw new RangeError('malformed DNS name pointer');
      if (next < 0) next = pos + 2;
      pos = ((len & 0x3f) << 8) | msg[pos + 1]!;
      continue;
    }
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    labels.push(msg.toString('ascii', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.join('.'), next };
}

export interface ParsedRecord { name: string; type: number; cls: number; ttl: number; rdata: Buffer; start: number; rdataStart: number; end: number }

/** Every record of an answer after the header, in order (question entries have no TTL/RDATA). */
export function readRecords(msg: Buffer): { header: Header; records: ParsedRecord[] } {
  const header = readHeader(msg);
  let pos = 12;
  for (let i = 0; i < header.qd; i++) pos = readName(msg, pos).next + 4;
  const records: ParsedRecord[] = [];
  for (let i = 0; i < header.an + header.ns + header.ar; i++) {
    const start = pos;
    const { name, next } = readName(msg, pos);
    if (next + 10 > msg.length) throw new RangeError('truncated DNS record');
    const type = msg.readUInt16BE(next);
    const cls = msg.readUInt16BE(next + 2);
    const ttl = msg.readUInt32BE(next + 4);
    const len = msg.readUInt16BE(next + 8);
    const rdataStart = next + 10;
    if (rdataStart + len > msg.length) throw new RangeError('truncated DNS record data');
    records.push({ name, type, cls, ttl, rdata: msg.subarray(rdataStart, rdataStart + len), start, rdataStart, end: rdataStart + len });
    pos = rdataStart + len;
  }
  return { header, records };
}
