import { generateKeyPair, createPrivateKey, type KeyObject, webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
// @peculiar/x509 resolves its ASN.1 providers through tsyringe, which needs this polyfill.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { CertfleetError } from '../errors.js';

export const KEY_TYPES = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

const generate = promisify(generateKeyPair);

export function assertKeyType(value: string): KeyType {
  if ((KEY_TYPES as readonly string[]).includes(value)) return value as KeyType;
  throw new CertfleetError('KEY_TYPE_INVALID', `unknown key type ${JSON.stringify(value)}: expected one of ${KEY_TYPES.join(', ')}`);
}

export async function generatePrivateKey(type: KeyType): Promise<KeyObject> {
  switch (type) {
    case 'ecdsa-p256': return (await generate('ec', { namedCurve: 'P-256' })).privateKey;
    case 'ecdsa-p384': return (await generate('ec', { namedCurve: 'P-384' })).privateKey;
    case 'rsa-2048': return (await generate('rsa', { modulusLength: 2048 })).privateKey;
    case 'rsa-3072': return (await generate('rsa', { modulusLength: 3072 })).privateKey;
    case 'rsa-4096': return (await generate('rsa', { modulusLength: 4096 })).privateKey;
  }
}

export function keyTypeOf(key: KeyObject): KeyType | undefined {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') return d?.namedCurve === 'prime256v1' ? 'ecdsa-p256' : d?.namedCurve === 'secp384r1' ? 'ecdsa-p384' : undefined;
  if (key.asymmetricKeyType === 'rsa') return KEY_TYPES.find((t) => t === `rsa-${d?.modulusLength ?? 0}`);
  return undefined;
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function parsePrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** A PKCS#10 CSR with every domain as a SAN and the first as CN (clients and CAs still read it). */
export async function createCsr(key: KeyObject, domains: string[]): Promise<Buffer> {
  const type = keyTypeOf(key);
  if (!type) throw new CertfleetError('KEY_TYPE_INVALID', 'unsupported certificate key');
  const algorithm = type.startsWith('rsa')
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: type === 'ecdsa-p256' ? 'P-256' : 'P-384', hash: type === 'ecdsa-p256' ? 'SHA-256' : 'SHA-384' };
  const { subtle } = webcrypto;
  const privateKey = await subtle.importKey('pkcs8', key.export({ format: 'der', type: 'pkcs8' }), algorithm, false, ['sign']);
  const publicKey = await subtle.importKey('spki', (await import('node:crypto')).createPublicKey(key).export({ format: 'der', type: 'spki' }), algorithm, true, ['verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${domains[0] ?? ''}`,
    keys: { privateKey, publicKey },
    signingAlgorithm: algorithm,
    extensions: [new x509.SubjectAlternativeNameExtension(domains.map((value) => ({ type: 'dns' as const, value })))],
  }, webcrypto);
  return Buffer.from(csr.rawData);
}
