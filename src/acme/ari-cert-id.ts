import { CertfleetError } from '../errors.js';
import { children, readTlv } from './der.js';

const AUTHORITY_KEY_IDENTIFIER = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x23]); // OID 2.5.29.35

/**
 * The ARI certificate identifier (RFC 9773 §4.1): base64url of the Authority Key Identifier's
 * keyIdentifier, ".", base64url of the serial number's DER content bytes (a leading 00 kept).
 */
export function ariCertId(certPem: string): string {
  const der = firstPemDer(certPem);
  const tbs = children(der, readTlv(der, 0))[0];
  if (!tbs) throw noAki();
  const fields = children(der, tbs);
  // tbsCertificate: [0] version (optional), serialNumber, ..., [3] extensions.
  const serial = fields[0]?.tag === 0xa0 ? fields[1] : fields[0];
  const extensions = fields.find((f) => f.tag === 0xa3);
  if (!serial || serial.tag !== 0x02 || !extensions) throw noAki();
  for (const ext of children(der, children(der, extensions)[0] ?? extensions)) {
    const parts = children(der, ext);
    const id = parts[0];
    if (!id || !der.subarray(id.start, id.end).equals(AUTHORITY_KEY_IDENTIFIER)) continue;
    const value = parts[parts.length - 1]!;
    const aki = readTlv(der, value.contentStart);
    const keyId = children(der, aki).find((f) => f.tag === 0x80);
    if (!keyId) break;
    return `${der.subarray(keyId.contentStart, keyId.end).toString('base64url')}.${der.subarray(serial.contentStart, serial.end).toString('base64url')}`;
  }
  throw noAki();
}

/**
 * The DER of the first CERTIFICATE block, decoded from its base64 only: the fields needed are
 * walked below, so no full X.509 parse (OpenSSL's, which the renewer has done once already for the
 * same certificate) is needed for them. Anything that is not such a block fails like a missing AKI.
 */
function firstPemDer(pem: string): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  const der = m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : Buffer.alloc(0);
  if (der.length < 2 || der[0] !== 0x30) throw noAki();
  return der;
}

function noAki(): CertfleetError {
  return new CertfleetError('ACME_BAD_RESPONSE', 'the certificate has no Authority Key Identifier: ARI cannot name it');
}
