import { canonicalName, withoutTrailingDot } from '../../dns-name.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLASS, TYPE, encodeName, readName, readRecords, u16, u48, type ParsedRecord } from './dns-wire.js';

/** TSIG algorithms (RFC 8945 §6); hmac-sha1 only for old servers. */
export const TSIG_ALGORITHMS = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512', 'hmac-sha1': 'sha1' } as const;
export type TsigAlgorithm = keyof typeof TSIG_ALGORITHMS;

export interface TsigKey { name: string; algorithm: TsigAlgorithm; secret: Buffer }

export const TSIG_FUDGE = 300;

/** The TSIG variables that are MACed after the message (RFC 8945 §4.3.3). */
function tsigVariables(key: TsigKey, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  return Buffer.concat([
    encodeName(key.name, true), u16(CLASS.ANY), Buffer.alloc(4), // TTL 0
    encodeName(`${key.algorithm}.`, true), u48(timeSigned), u16(fudge), u16(error), u16(other.length), other,
  ]);
}

function hmac(key: TsigKey, ...parts: Buffer[]): Buffer {
  const h = createHmac(TSIG_ALGORITHMS[key.algorithm], key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Appends a TSIG record to `message` (whose ARCOUNT does not count it yet); returns the signed message and its MAC. */
export function signMessage(message: Buffer, key: TsigKey, now = Date.now()): { signed: Buffer; mac: Buffer } {
  const timeSigned = Math.floor(now / 1000);
  const mac = hmac(key, message, tsigVariables(key, timeSigned, TSIG_FUDGE, 0, Buffer.alloc(0)));
  const id = message.readUInt16BE(0);
  const rdata = Buffer.concat([encodeName(`${key.algorithm}.`, true), u48(timeSigned), u16(TSIG_FUDGE), u16(mac.length), mac, u16(id), u16(0), u16(0)]);
  const rr = Buffer.concat([encodeName(key.name, true), u16(TYPE.TSIG), u16(CLASS.ANY), Buffer.alloc(4), u16(rdata.length), rdata]);
  const signed = Buffer.concat([message, rr]);
  signed.writeUInt16BE(signed.readUInt16BE(10) + 1, 10);
  return { signed, mac };
}

export interface TsigRecord { keyName: string; algorithm: string; timeSigned: number; fudge: number; mac: Buffer; originalId: number; error: number; other: Buffer; record: ParsedRecord }

/** The TSIG record of a message (the last additional record), if there is one. */
export function readTsig(message: Buffer): TsigRecord | undefined {
  const { header, records } = readRecords(message);
  const last = records.at(-1);
  if (!last || header.ar === 0 || last.type !== TYPE.TSIG) return undefined;
  let p = last.rdataStart;
  const alg = readName(message, p);
  p = alg.next;
  const timeSigned = message.readUIntBE(p, 6);
  const fudge = message.readUInt16BE(p + 6);
  const macSize = message.readUInt16BE(p + 8);
  const mac = message.subarray(p + 10, p + 10 + macSize);
  p += 10 + macSize;
  const originalId = message.readUInt16BE(p);
  const error = message.readUInt16BE(p + 2);
  const otherLen = message.readUInt16BE(p + 4);
  return { keyName: last.name, algorithm: alg.name.toLowerCase(), timeSigned, fudge, mac, originalId, error, other: message.subarray(p + 6, p + 6 + otherLen), record: last };
}

export type TsigVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Verifies the server's signed answer to a request whose MAC was `requestMac` (RFC 8945 §5.3).
 * For the second and later messages of a zone transfer, `priorMac` is the previous signed
 * message's MAC and only the timers are MACed after the message (§5.3.1).
 */
export function verifyResponse(response: Buffer, key: TsigKey, requestMac: Buffer, now = Date.now(), timersOnly = false): TsigVerdict {
  const tsig = readTsig(response);
  if (!tsig) return { ok: false, reason: 'the answer is not signed' };
  if (canonicalName(tsig.keyName) !== canonicalName(key.name)) return { ok: false, reason: `the answer is signed with another key (${tsig.keyName})` };
  if (withoutTrailingDot(tsig.algorithm) !== key.algorithm) return { ok: false, reason: `the answer is signed with another algorithm (${tsig.algorithm})` };
  // The message as it was before the TSIG record was added: without it, ARCOUNT one less, original ID.
  const unsigned = Buffer.from(response.subarray(0, tsig.record.start));
  unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
  unsigned.writeUInt16BE(tsig.originalId, 0);
  const variables = timersOnly ? Buffer.concat([u48(tsig.timeSigned), u16(tsig.fudge)]) : tsigVariables(key, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other);
  const expected = hmac(key, u16(requestMac.length), requestMac, unsigned, variables);
  if (tsig.mac.length !== expected.length || !timingSafeEqual(tsig.mac, expected)) return { ok: false, reason: 'the answer\'s signature does not verify' };
  if (Math.abs(Math.floor(now / 1000) - tsig.timeSigned) > tsig.fudge) return { ok: false, reason: 'the answer\'s signature time is outside the allowed clock skew' };
  return { ok: true };
}
