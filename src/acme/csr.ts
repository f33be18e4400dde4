import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { CertfleetError } from '../errors.js';
import { bitString, nullValue, objectId, octetString, sequence, set, smallInteger, tlv, utf8String } from './der.js';
import { keyTypeOf } from './keys.js';

const SIGNATURE = {
  'ecdsa-p256': { hash: 'sha256', algorithm: () => sequence(objectId('1.2.840.10045.4.3.2')) },
  'ecdsa-p384': { hash: 'sha384', algorithm: () => sequence(objectId('1.2.840.10045.4.3.3')) },
  rsa: { hash: 'sha256', algorithm: () => sequence(objectId('1.2.840.113549.1.1.11'), nullValue()) },
} as const;

/**
 * A PKCS#10 CSR (RFC 2986) with every domain as a DNS SAN and the first as CN, which clients and
 * CAs still read; the CN is left out when longer than X.520's 64 characters.
 */
export function createCsr(key: KeyObject, domains: string[]): Promise<Buffer> {
  const type = keyTypeOf(key);
  if (!type) return Promise.reject(new CertfleetError('KEY_TYPE_INVALID', 'unsupported certificate key'));
  const sig = type.startsWith('rsa') ? SIGNATURE.rsa : SIGNATURE[type as 'ecdsa-p256' | 'ecdsa-p384'];
  const cn = domains[0] ?? '';
  const subject = cn && cn.length <= 64 ? sequence(set(sequence(objectId('2.5.4.3'), utf8String(cn)))) : sequence();
  const san = sequence(...domains.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))));
  const extensionRequest = sequence(objectId('1.2.840.113549.1.9.14'), set(sequence(sequence(objectId('2.5.29.17'), octetString(san)))));
  const info = sequence(
    smallInteger(0),
    subject,
    createPublicKey(key).export({ format: 'der', type: 'spki' }),
    tlv(0xa0, extensionRequest),
  );
  // node:crypto signs ECDSA in DER (r, s), the encoding X.509 and PKCS#10 use.
  return Promise.resolve(sequence(info, sig.algorithm(), bitString(sign(sig.hash, info, key))));
}
