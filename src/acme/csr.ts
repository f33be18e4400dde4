import { createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
// @peculiar/x509 resolves its ASN.1 providers through tsyringe, which needs this polyfill.
// It costs about 20 MB of memory, so only issuance loads this module.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { CertfleetError } from '../errors.js';
import { keyTypeOf } from './keys.js';

/** A PKCS#10 CSR with every domain as a SAN and the first as CN (clients and CAs still read it). */
export async function createCsr(key: KeyObject, domains: string[]): Promise<Buffer> {
  const type = keyTypeOf(key);
  if (!type) throw new CertfleetError('KEY_TYPE_INVALID', 'unsupported certificate key');
  const algorithm = type.startsWith('rsa')
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: type === 'ecdsa-p256' ? 'P-256' : 'P-384', hash: type === 'ecdsa-p256' ? 'SHA-256' : 'SHA-384' };
  const { subtle } = webcrypto;
  const privateKey = await subtle.importKey('pkcs8', key.export({ format: 'der', type: 'pkcs8' }), algorithm, false, ['sign']);
  const publicKey = await subtle.importKey('spki', createPublicKey(key).export({ format: 'der', type: 'spki' }), algorithm, true, ['verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${domains[0] ?? ''}`,
    keys: { privateKey, publicKey },
    signingAlgorithm: algorithm,
    extensions: [new x509.SubjectAlternativeNameExtension(domains.map((value) => ({ type: 'dns' as const, value })))],
  }, webcrypto);
  return Buffer.from(csr.rawData);
}
