import { generateKeyPair, createPrivateKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { CertfleetError } from '../errors.js';
import { KEY_TYPES, type KeyType } from './key-types.js';

export { KEY_TYPES, type KeyType } from './key-types.js';

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
