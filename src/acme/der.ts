// The few DER (X.690) structures issuance needs: a CSR to write and a certificate's serial and
// Authority Key Identifier to read. Written here rather than loaded from @peculiar/x509, whose
// import (with reflect-metadata, tsyringe and asn1js) took 177 ms of every `certfleet issue`.
import { CertfleetError } from '../errors.js';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV: `tag` with the concatenated contents. */
export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

export const sequence = (...c: Buffer[]) => tlv(0x30, ...c);
export const set = (...c: Buffer[]) => tlv(0x31, ...c);
export const octetString = (b: Buffer) => tlv(0x04, b);
export const utf8String = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
export const bitString = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
export const nullValue = () => Buffer.from([0x05, 0x00]);
export const smallInteger = (n: number) => tlv(0x02, Buffer.from([n]));

export function objectId(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const groups = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

export interface Tlv { tag: number; start: number; contentStart: number; end: number }

/** Reads the TLV at `offset`; throws on a length that runs past the buffer. */
export function readTlv(der: Buffer, offset: number): Tlv {
  const tag = der[offset];
  let len = der[offset + 1];
  if (tag === undefined || len === undefined) throw malformed();
  let contentStart = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4) throw malformed();
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + (der[contentStart + i] ?? Number.NaN);
    contentStart += count;
  }
  const end = contentStart + len;
  if (!Number.isFinite(end) || end > der.length) throw malformed();
  return { tag, start: offset, contentStart, end };
}

/** The TLVs directly inside a constructed TLV. */
export function children(der: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; at = out[out.length - 1]!.end) out.push(readTlv(der, at));
  return out;
}

function malformed(): CertfleetError {
  return new CertfleetError('ACME_BAD_RESPONSE', 'malformed DER in a certificate');
}
