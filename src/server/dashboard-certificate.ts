import { X509Certificate } from 'node:crypto';

/** One certificate of a chain, as the detail page shows it. */
export interface ChainEntry {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  sans: string[];
  keyType: string;
}

/**
 * The certificates of a PEM chain (leaf first), parsed with node:crypto. Only public data: the
 * caller hands the fullchain, never the private key.
 */
export function parseChain(pem: string): ChainEntry[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => {
    const x = new X509Certificate(block);
    return {
      subject: oneLine(x.subject),
      issuer: oneLine(x.issuer),
      serial: x.serialNumber,
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
      sans: (x.subjectAltName ?? '').split(', ').filter(Boolean).map((s) => s.replace(/^DNS:/, '')),
      keyType: keyType(x),
    };
  });
}

/** node prints a distinguished name one attribute per line. */
function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

function keyType(x: X509Certificate): string {
  const d = x.publicKey.asymmetricKeyDetails;
  const t = x.publicKey.asymmetricKeyType ?? 'unknown';
  if (t === 'ec') return `ECDSA ${d?.namedCurve ?? ''}`.trim();
  if (t === 'rsa') return `RSA ${d?.modulusLength ?? ''}`.trim();
  return t;
}
