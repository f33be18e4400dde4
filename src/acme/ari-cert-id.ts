import 'reflect-metadata';
import { AuthorityKeyIdentifierExtension, X509Certificate } from '@peculiar/x509';
import { CertfleetError } from '../errors.js';

/**
 * The ARI certificate identifier (RFC 9773 §4.1): base64url of the Authority Key Identifier's
 * keyIdentifier, ".", base64url of the serial number's DER content bytes.
 */
export function ariCertId(certPem: string): string {
  const cert = new X509Certificate(certPem);
  const aki = cert.getExtension(AuthorityKeyIdentifierExtension);
  if (!aki?.keyId) throw new CertfleetError('ACME_BAD_RESPONSE', 'the certificate has no Authority Key Identifier: ARI cannot name it');
  return `${Buffer.from(aki.keyId, 'hex').toString('base64url')}.${serialDerContent(cert.serialNumber).toString('base64url')}`;
}

/**
 * The DER content bytes of a positive serial number. @peculiar/x509 strips the leading 00 that
 * DER needs when the high bit is set; the identifier must carry it (RFC 9773 Appendix A).
 */
function serialDerContent(hex: string): Buffer {
  let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) === 0) bytes = bytes.subarray(1);
  return (bytes[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}
