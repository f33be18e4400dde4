import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ariCertId } from '../../acme/ari-cert-id.js';
import { keyTypeOf, type KeyType } from '../../acme/keys.js';
import { CertfleetError } from '../../errors.js';
import type { CertificateMeta, PemFile } from '../../store/certificate-store.js';
import type { RenewalConf } from './renewal-conf.js';

/**
 * certfleet's metadata for certbot's archive version `version`, from the certificate itself
 * (domains, validity, serial) and the key (its type): what the renewal policy compares with the
 * config, so the next run orders nothing while the certificate is not due.
 */
export function lineageMeta(name: string, version: number, pem: Record<PemFile, string>, o: { directory: string; account: string }): CertificateMeta {
  const leaf = new X509Certificate(pem.cert);
  const keyType = keyTypeOf(createPrivateKey(pem.privkey));
  if (!keyType) throw new CertfleetError('KEY_TYPE_INVALID', `the key of ${name} (archive/${name}/privkey${version}.pem) is of a type certfleet cannot renew with (${createPrivateKey(pem.privkey).asymmetricKeyType ?? '?'}); expected ECDSA P-256/P-384 or RSA 2048/3072/4096`);
  const domains = (leaf.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const notBefore = new Date(leaf.validFrom).toISOString();
  return {
    name, domains, keyType, notBefore,
    notAfter: new Date(leaf.validTo).toISOString(),
    issuer: leaf.issuer.replace(/\n/g, ', '),
    serial: leaf.serialNumber,
    account: o.account,
    // certbot keeps no order URL; nothing reads it but `list`.
    orderUrl: '',
    version,
    issuedAt: notBefore,
    ariCertId: ariCertId(pem.cert),
    directory: o.directory,
  };
}

/** The key type renewal/<name>.conf asks for (certbot's defaults where it is silent: RSA 2048 before 2.0, ECDSA P-256 since). */
export function confKeyType(conf: RenewalConf): { keyType: KeyType | undefined; asked: string } {
  const p = conf.params;
  const type = p.key_type ?? (Number((conf.top.version ?? '2').split('.')[0]) >= 2 ? 'ecdsa' : 'rsa');
  if (type === 'ecdsa') {
    const curve = p.elliptic_curve ?? 'secp256r1';
    const keyType = curve === 'secp256r1' ? 'ecdsa-p256' : curve === 'secp384r1' ? 'ecdsa-p384' : undefined;
    return { keyType, asked: `ecdsa ${curve}` };
  }
  const size = p.rsa_key_size ?? '2048';
  const keyType = (['2048', '3072', '4096'] as const).find((s) => s === size);
  return { keyType: keyType ? `rsa-${keyType}` : undefined, asked: `rsa ${size}` };
}
