import 'reflect-metadata';
import { createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { generatePrivateKey, keyTypeOf, parsePrivateKey, privateKeyPem, type KeyType } from '../acme/keys.js';
import type { Logger } from '../log.js';
import type { AccountStore } from '../store/certificate-store.js';
import { SELF_SIGNED, type IssuedCertificate, type Issuer, type IssueRequest } from './issuer.js';

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
 * account store (its key encrypted like account keys when a store key is set). No CA, no DNS.
 * Every issuance logs a warning; production mode refuses it. No ARI, no revocation.
 */
export class SelfSignedIssuer implements Issuer {
  readonly key = SELF_SIGNED;

  constructor(private readonly o: { accounts: AccountStore; log: Logger }) {}

  async issue(req: IssueRequest, signal: AbortSignal): Promise<IssuedCertificate> {
    this.o.log.child({ cert: req.name }).warn({ domains: req.domains, why: 'no client trusts it; never use this in production' }, 'self_signed_certificate');
    const [ca, key] = await Promise.all([loadOrCreateCa(this.o.accounts, signal), req.key]);
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
    return { chain: [`${cert.toString('pem')}\n`, ca.pem], account: '', orderUrl: '', directory: SELF_SIGNED };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function loadOrCreateCa(accounts: AccountStore, signal: AbortSignal): Promise<{ key: KeyObject; pem: string }> {
  const saved = await accounts.readAccount(SELF_SIGNED, signal);
  const certPem = saved && await accounts.readIssuerCertificate(SELF_SIGNED, signal);
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
    await accounts.writeAccount(SELF_SIGNED, { keyPem: privateKeyPem(key) }, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return loadOrCreateCa(accounts, signal); // another process created it first
  }
  await accounts.writeIssuerCertificate(SELF_SIGNED, pem, signal);
  return { key, pem };
}
