import 'reflect-metadata';
import { createPublicKey, randomBytes, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { generatePrivateKey, keyTypeOf, parsePrivateKey, privateKeyPem, type KeyType } from '../acme/keys.js';
import type { Logger } from '../log.js';
import type { CertificatePaths, FileStore } from '../store/file-store.js';

/** The value of `acme.directory` that selects this issuer. */
export const SELF_SIGNED = 'selfsigned';
const CA_ID = 'selfsigned';
const CA_NAME = 'CN=certfleet development CA (not trusted)';

const algorithmFor = (type: KeyType) => (type.startsWith('rsa')
  ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  : { name: 'ECDSA', namedCurve: type === 'ecdsa-p256' ? 'P-256' : 'P-384', hash: type === 'ecdsa-p256' ? 'SHA-256' : 'SHA-384' });

async function cryptoKeys(key: KeyObject): Promise<{ privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey; algorithm: ReturnType<typeof algorithmFor> }> {
  const algorithm = algorithmFor(keyTypeOf(key)!);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', key.export({ format: 'der', type: 'pkcs8' }), algorithm, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', createPublicKey(key).export({ format: 'der', type: 'spki' }), algorithm, true, ['verify']);
  return { privateKey, publicKey, algorithm };
}

/**
 * Development only (`acme.directory: selfsigned`): certificates signed by a local CA kept in the
 * store (its key under accounts/, encrypted like account keys when a store key is set). No CA,
 * no DNS. Every issuance logs a warning; production mode refuses it.
 */
export async function issueSelfSigned(req: { name: string; domains: string[]; keyType: KeyType; reuseKey: boolean }, store: FileStore, log: Logger): Promise<CertificatePaths> {
  log.warn({ domains: req.domains }, 'self-signed development certificate: no client trusts it; never use this in production');
  const ca = await loadOrCreateCa(store);
  const existing = req.reuseKey ? await store.load(req.name) : undefined;
  const key = existing ? parsePrivateKey(existing.pem.privkey) : await generatePrivateKey(req.keyType);
  const leafKeys = await cryptoKeys(key);
  const caKeys = await cryptoKeys(ca.key);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    subject: `CN=${req.domains[0] ?? req.name}`,
    issuer: CA_NAME,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 90 * 86_400_000),
    signingAlgorithm: caKeys.algorithm,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.SubjectAlternativeNameExtension(req.domains.map((value) => ({ type: 'dns' as const, value }))),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1']),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, webcrypto),
    ],
  }, webcrypto);
  const leafPem = cert.toString('pem');
  const leaf = new X509Certificate(leafPem);
  return store.save({
    meta: {
      name: req.name, domains: req.domains, keyType: req.keyType,
      notBefore: new Date(leaf.validFrom).toISOString(), notAfter: new Date(leaf.validTo).toISOString(),
      issuer: CA_NAME.slice(3), serial: leaf.serialNumber, account: '', orderUrl: '', issuedAt: new Date().toISOString(), directory: SELF_SIGNED,
    },
    pem: { cert: `${leafPem}\n`, chain: ca.pem, fullchain: `${leafPem}\n${ca.pem}`, privkey: privateKeyPem(key) },
  });
}

async function loadOrCreateCa(store: FileStore): Promise<{ key: KeyObject; pem: string }> {
  const saved = await store.readAccount(CA_ID);
  const certPem = saved && await store.readAccountFile(CA_ID, 'ca.pem');
  if (saved && certPem) return { key: parsePrivateKey(saved.keyPem), pem: certPem };
  const key = await generatePrivateKey('ecdsa-p256');
  const k = await cryptoKeys(key);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    name: CA_NAME,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * 365 * 86_400_000),
    signingAlgorithm: k.algorithm,
    keys: { privateKey: k.privateKey, publicKey: k.publicKey },
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true), await x509.SubjectKeyIdentifierExtension.create(k.publicKey, false, webcrypto)],
  }, webcrypto);
  const pem = `${cert.toString('pem')}\n`;
  try {
    await store.writeAccount(CA_ID, { keyPem: privateKeyPem(key) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return loadOrCreateCa(store); // another process created it first
  }
  await store.writeAccountFile(CA_ID, 'ca.pem', pem);
  return { key, pem };
}
